#ifndef OAUTH_DETAIL_ENCODING_TIME_HPP
#define OAUTH_DETAIL_ENCODING_TIME_HPP

#include <oauth/clock.hpp>

#include <algorithm>
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

/// The earliest and latest microsecond counts a TimePoint can hold (its clock counts
/// nanoseconds in 64 bits: about 1678 to 2262).
inline constexpr std::int64_t min_micros =
    std::chrono::duration_cast<std::chrono::microseconds>(TimePoint::min().time_since_epoch()).count() + 1;
inline constexpr std::int64_t max_micros =
    std::chrono::duration_cast<std::chrono::microseconds>(TimePoint::max().time_since_epoch()).count() - 1;

/// The time `micros` stands for, saturated to what a TimePoint can hold: a count read
/// back from a store that was altered outside this library is still a time.
inline TimePoint from_micros(std::int64_t micros) noexcept {
  micros = std::clamp(micros, min_micros, max_micros);
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros)));
}

/// Exactly `count` ASCII digits at `at`, as a number.
inline std::optional<int> exact_digits(std::string_view text, std::size_t at, std::size_t count) noexcept {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

/// The seconds since the epoch of a civil date and time, when it is a real one. Years of
/// four digits keep the count far inside 64 bits.
inline std::optional<std::int64_t> civil_seconds(int year, unsigned month, unsigned day, int hour, int minute,
                                                 int second) noexcept {
  if (year < 0 || year > 9999 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::chrono::year_month_day const date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!date.ok()) return std::nullopt;
  std::int64_t const days = std::chrono::sys_days(date).time_since_epoch().count();
  return days * 86'400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second;
}

/// RFC 3339 in UTC to the microsecond: 2026-11-21T08:00:00.000000Z.
inline std::string to_rfc3339(TimePoint at) {
  auto const micros = to_micros(at);
  auto const day_point = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(micros)));
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

/// Reads what to_rfc3339 writes, and nothing else: digits where it writes digits, a real
/// date, and one a TimePoint can hold.
inline std::optional<TimePoint> from_rfc3339(std::string_view text) {
  if (text.size() != 27 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != '.' || text[26] != 'Z')
    return std::nullopt;
  auto y = exact_digits(text, 0, 4), mo = exact_digits(text, 5, 2), d = exact_digits(text, 8, 2);
  auto h = exact_digits(text, 11, 2), mi = exact_digits(text, 14, 2), s = exact_digits(text, 17, 2);
  auto us = exact_digits(text, 20, 6);
  // to_rfc3339 never writes a leap second: a ":60" was not written by it.
  if (!y || !mo || !d || !h || !mi || !s || !us || *s > 59) return std::nullopt;
  auto const seconds = civil_seconds(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d), *h, *mi, *s);
  if (!seconds || *seconds > max_micros / 1'000'000 - 1 || *seconds < min_micros / 1'000'000 + 1) return std::nullopt;
  return from_micros(*seconds * 1'000'000 + *us);
}

/// An HTTP date (RFC 9110 section 5.6.7) in any of the three forms a recipient must
/// read, to the letter of its grammar (case, spaces, digit counts):
///   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
///   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"   (a two-digit year more than 50 years
///                                                    ahead of `now` is read as past)
///   asctime      "Sun Nov  6 08:49:37 1994"
inline std::optional<std::chrono::sys_seconds> parse_http_date(
    std::string_view text, std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
  constexpr std::string_view short_days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  constexpr std::string_view long_days[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};
  constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto month_at = [&](std::size_t at) -> unsigned {
    for (unsigned m = 0; m < 12; ++m)
      if (text.substr(at, 3) == months[m]) return m + 1;
    return 0;
  };
  // "HH:MM:SS" at `at`.
  auto time_at = [&](std::size_t at, int& h, int& mi, int& s) {
    auto hh = exact_digits(text, at, 2), mm = exact_digits(text, at + 3, 2), ss = exact_digits(text, at + 6, 2);
    if (!hh || !mm || !ss || text[at + 2] != ':' || text[at + 5] != ':') return false;
    h = *hh, mi = *mm, s = *ss;
    return true;
  };
  auto result = [](std::optional<std::int64_t> seconds) -> std::optional<std::chrono::sys_seconds> {
    if (!seconds) return std::nullopt;
    return std::chrono::sys_seconds(std::chrono::seconds(*seconds));
  };

  int h = 0, mi = 0, s = 0;
  if (text.size() == 29 && text.substr(3, 2) == ", " && text.substr(25) == " GMT") {  // IMF-fixdate
    bool const day_name =
        std::find(std::begin(short_days), std::end(short_days), text.substr(0, 3)) != std::end(short_days);
    auto const day = exact_digits(text, 5, 2);
    auto const month = month_at(8);
    auto const year = exact_digits(text, 12, 4);
    if (!day_name || !day || month == 0 || !year || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
        !time_at(17, h, mi, s))
      return std::nullopt;
    return result(civil_seconds(*year, month, static_cast<unsigned>(*day), h, mi, s));
  }
  if (text.size() == 24 && text[3] == ' ' && text[7] == ' ' && text[10] == ' ' && text[19] == ' ') {  // asctime
    bool const day_name =
        std::find(std::begin(short_days), std::end(short_days), text.substr(0, 3)) != std::end(short_days);
    auto const month = month_at(4);
    auto const day = text[8] == ' ' ? exact_digits(text, 9, 1) : exact_digits(text, 8, 2);
    auto const year = exact_digits(text, 20, 4);
    if (!day_name || month == 0 || !day || !year || !time_at(11, h, mi, s)) return std::nullopt;
    return result(civil_seconds(*year, month, static_cast<unsigned>(*day), h, mi, s));
  }
  auto const comma = text.find(", ");
  if (comma == std::string_view::npos ||
      std::find(std::begin(long_days), std::end(long_days), text.substr(0, comma)) == std::end(long_days))
    return std::nullopt;
  auto const rest = text.substr(comma + 2);  // "06-Nov-94 08:49:37 GMT"
  if (rest.size() != 22 || rest[2] != '-' || rest[6] != '-' || rest[9] != ' ' || rest.substr(18) != " GMT")
    return std::nullopt;
  text = rest;
  auto const day = exact_digits(text, 0, 2);
  auto const month = month_at(3);
  auto const two_digit_year = exact_digits(text, 7, 2);
  if (!day || month == 0 || !two_digit_year || !time_at(10, h, mi, s)) return std::nullopt;
  int const this_year =
      static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
  int year = this_year - this_year % 100 + *two_digit_year;
  if (year > this_year + 50) year -= 100;
  return result(civil_seconds(year, month, static_cast<unsigned>(*day), h, mi, s));
}

/// IMF-fixdate, the form an HTTP date is sent in.
inline std::string to_http_date(std::chrono::sys_seconds at) {
  constexpr char const* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
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
