#ifndef OAUTH_DETAIL_ENCODING_TIME_HPP
#define OAUTH_DETAIL_ENCODING_TIME_HPP

#include <oauth/records.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace oauth::detail::encoding {

/// Microseconds since the Unix epoch: how the SQL and Redis backends keep time.
inline std::int64_t to_micros(TimePoint at) noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

inline TimePoint from_micros(std::int64_t micros) noexcept {
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros)));
}

/// RFC 3339 in UTC to the microsecond: 2026-11-21T08:00:00.000000Z.
inline std::string to_rfc3339(TimePoint at) {
  auto const micros = to_micros(at);
  auto const day_point = std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::microseconds>(
      std::chrono::microseconds(micros)));
  std::chrono::year_month_day const date(day_point);
  auto const in_day = std::chrono::microseconds(micros) - day_point.time_since_epoch();
  auto const seconds = in_day.count() / 1'000'000;
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                static_cast<long long>(seconds % 60), static_cast<long long>(in_day.count() % 1'000'000));
  return text;
}

/// Reads what to_rfc3339 writes, and nothing else.
inline std::optional<TimePoint> from_rfc3339(std::string_view text) {
  if (text.size() != 27 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.' || text[26] != 'Z')
    return std::nullopt;
  auto number = [&](std::size_t at, std::size_t length) -> std::optional<long long> {
    long long value = 0;
    auto const* first = text.data() + at;
    auto const [end, ec] = std::from_chars(first, first + length, value);
    if (ec != std::errc{} || end != first + length) return std::nullopt;
    return value;
  };
  auto y = number(0, 4), mo = number(5, 2), d = number(8, 2), h = number(11, 2), mi = number(14, 2),
       s = number(17, 2), us = number(20, 6);
  if (!y || !mo || !d || !h || !mi || !s || !us || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  std::chrono::year_month_day const date{std::chrono::year(static_cast<int>(*y)),
                                         std::chrono::month(static_cast<unsigned>(*mo)),
                                         std::chrono::day(static_cast<unsigned>(*d))};
  if (!date.ok()) return std::nullopt;
  auto const micros = std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(*h) +
                      std::chrono::minutes(*mi) + std::chrono::seconds(*s) + std::chrono::microseconds(*us);
  return from_micros(std::chrono::duration_cast<std::chrono::microseconds>(micros).count());
}

}  // namespace oauth::detail::encoding

#endif
