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

/// An HTTP date (RFC 9110 section 5.6.7) in any of the three forms a recipient must
/// read: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94
/// 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
inline std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  std::string_view parts[8];
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto const is_word = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    if (!is_word(text[i])) {
      ++i;
      continue;
    }
    auto const start = i;
    while (i < text.size() && is_word(text[i])) ++i;
    if (count == 8) return std::nullopt;
    parts[count++] = text.substr(start, i - start);
  }
  auto number = [](std::string_view digits) -> std::optional<int> {
    int value = 0;
    auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return value;
  };
  auto month = [](std::string_view name) -> std::optional<unsigned> {
    constexpr std::string_view names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (unsigned m = 0; m < 12; ++m)
      if (names[m] == name) return m + 1;
    return std::nullopt;
  };
  std::optional<int> day, year, hour, minute, second;
  std::optional<unsigned> mon;
  if (count == 8 && parts[7] == "GMT") {  // IMF-fixdate or RFC 850
    day = number(parts[1]), mon = month(parts[2]), year = number(parts[3]);
    hour = number(parts[4]), minute = number(parts[5]), second = number(parts[6]);
    // RFC 850's two-digit year: RFC 9110 reads one more than 50 years ahead as past.
    if (year && parts[3].size() == 2) *year += *year < 70 ? 2000 : 1900;
  } else if (count == 7) {  // asctime
    mon = month(parts[1]), day = number(parts[2]), hour = number(parts[3]);
    minute = number(parts[4]), second = number(parts[5]), year = number(parts[6]);
  }
  if (!day || !mon || !year || !hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  std::chrono::year_month_day const date{std::chrono::year(*year), std::chrono::month(*mon),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
         std::chrono::seconds(*second);
}

/// IMF-fixdate, the form an HTTP date is sent in.
inline std::string to_http_date(std::chrono::sys_seconds at) {
  constexpr char const* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto const day_point = std::chrono::floor<std::chrono::days>(at);
  std::chrono::year_month_day const date(day_point);
  std::chrono::hh_mm_ss const time(at - day_point);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02u %s %04d %02lld:%02lld:%02lld GMT",
                days[std::chrono::weekday(day_point).c_encoding()], static_cast<unsigned>(date.day()),
                months[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<long long>(time.hours().count()), static_cast<long long>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()));
  return text;
}

}  // namespace oauth::detail::encoding

#endif
