#include <oauth/detail/encoding/ascii.hpp>
#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/encoding/form.hpp>
#include <oauth/detail/encoding/printable.hpp>
#include <oauth/detail/encoding/time.hpp>

#include <gtest/gtest.h>

namespace {

using namespace oauth::detail::encoding;

// Header names, schemes and hosts compare as HTTP says: ASCII letters without case, every
// other byte as it is, whatever the locale.
TEST(AsciiIequals, IgnoresTheCaseOfAsciiLettersOnly) {
  EXPECT_TRUE(ascii_iequals("Content-Type", "content-TYPE"));
  EXPECT_TRUE(ascii_iequals("", ""));
  EXPECT_FALSE(ascii_iequals("Bearer", "Bearer "));
  EXPECT_FALSE(ascii_iequals("@[\\]^", "`{|}~"));       // a case flip of bit 0x20 would call these equal
  EXPECT_FALSE(ascii_iequals("\xc3\x89", "\xc3\xa9"));  // É and é: not ASCII, not folded
  static_assert(ascii_iequals("API.Notion.COM", "api.notion.com"));
}

TEST(Base64, Rfc4648TestVectors) {
  std::pair<std::string, std::string> const vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto const& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain, Alphabet::standard, Padding::with), encoded);
    EXPECT_EQ(base64_decode(encoded, Alphabet::standard).value(), plain);
    auto unpadded = encoded.substr(0, encoded.find('='));
    EXPECT_EQ(base64_encode(plain, Alphabet::standard, Padding::without), unpadded);
    EXPECT_EQ(base64_decode(unpadded, Alphabet::standard).value(), plain);
  }
}

TEST(Base64, AlphabetsDifferOnlyInTheLastTwoCharacters) {
  std::string const bytes{"\xfb\xff\xbf", 3};
  EXPECT_EQ(base64_encode(bytes, Alphabet::standard, Padding::with), "+/+/");
  EXPECT_EQ(base64_encode(bytes, Alphabet::url_safe, Padding::with), "-_-_");
  EXPECT_FALSE(base64_decode("+/+/", Alphabet::url_safe));
  EXPECT_FALSE(base64_decode("-_-_", Alphabet::standard));
}

TEST(Base64, DecodingIsStrict) {
  for (std::string bad : {"Zg=", "Zg===", "Z", "Zm9v\n", " Zm9v", "Zm=v", "Zh==", "Zm9=", "=", "===="}) {
    EXPECT_FALSE(base64_decode(bad, Alphabet::standard)) << bad;
  }
}

TEST(FormEncoding, FollowsRfc6749AppendixB) {
  EXPECT_EQ(form_urlencode("a b+c/d?e=f&g~h*i-j.k_l"), "a+b%2Bc%2Fd%3Fe%3Df%26g%7Eh*i-j.k_l");
  EXPECT_EQ(form_urlencode("\xc3\xa9"), "%C3%A9");
  std::string body;
  append_form_param(body, "grant_type", "authorization_code");
  append_form_param(body, "redirect_uri", "https://app.example/cb?x=1");
  EXPECT_EQ(body, "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1");
}

using std::chrono::sys_days;
using namespace std::chrono_literals;
namespace chrono = std::chrono;

TEST(HttpDate, EachOfTheThreeFormsIsRead) {
  auto const expected = sys_days(chrono::year(1994) / 11 / 6) + 8h + 49min + 37s;
  for (auto text : {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"})
    EXPECT_EQ(parse_http_date(text, sys_days(chrono::year(2026) / 1 / 1)), expected) << text;
  EXPECT_EQ(parse_http_date("Thu Nov 26 08:49:37 2026"), sys_days(chrono::year(2026) / 11 / 26) + 8h + 49min + 37s);
}

// Found by the fuzzer: the old reader took any words and numbers in roughly the right order.
TEST(HttpDate, MalformedDatesAreRefusedToTheLetterOfTheGrammar) {
  for (auto bad : {"Nov 4,-0 8:4=:38 GMT",           "Sunday, 06-Nov-948 0:49:37 GMT",
                   "Sun, 6 Nov 1994 08:49:37 GMT",   "Sun, 06 nov 1994 08:49:37 GMT",
                   "sun, 06 Nov 1994 08:49:37 GMT",  "Sun,  06 Nov 1994 08:49:37 GMT",
                   "Sun, 06 Nov 94 08:49:37 GMT",    "Sun, 06 Nov 1994 8:49:37 GMT",
                   "Sun, 06 Nov 1994 08:49:37 gmt",  "Sun, 06 Nov 1994 08:49:37 GMT ",
                   " Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37",
                   "Sun, 06 Nov +994 08:49:37 GMT",  "Sun, 06 Nov 1994 08:49:-7 GMT",
                   "Sun\t06 Nov 1994 08:49:37 GMT",  "Sunday, 06-Nov-1994 08:49:37 GMT",
                   "Sun, 06-Nov-94 08:49:37 GMT",    "Sunny, 06-Nov-94 08:49:37 GMT",
                   "Sun Nov 6 08:49:37 1994",        "Sun Nov  6 08:49:37 94",
                   "Sun Nov 06 08:49:37 1994 ",      "Sun, 30 Feb 1994 08:49:37 GMT",
                   "Sun, 06 Nov 1994 24:00:00 GMT",  "Sun, 06 Nov 1994 08:60:00 GMT",
                   "Sun, 00 Nov 1994 08:49:37 GMT",  ""})
    EXPECT_FALSE(parse_http_date(bad)) << bad;
}

TEST(HttpDate, ATwoDigitYearMoreThanFiftyYearsAheadIsThePast) {
  auto const now = sys_days(chrono::year(2026) / 12 / 2);
  EXPECT_EQ(parse_http_date("Monday, 01-Jan-76 00:00:00 GMT", now), sys_days(chrono::year(2076) / 1 / 1));
  EXPECT_EQ(parse_http_date("Monday, 01-Jan-77 00:00:00 GMT", now), sys_days(chrono::year(1977) / 1 / 1));
  EXPECT_EQ(parse_http_date("Monday, 01-Jan-26 00:00:00 GMT", now), sys_days(chrono::year(2026) / 1 / 1));
}

TEST(HttpDate, FarDatesAreCountedInSecondsWithoutOverflow) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 0948 08:49:37 GMT"), sys_days(chrono::year(948) / 11 / 6) + 8h + 49min + 37s);
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
            sys_days(chrono::year(9999) / 12 / 31) + 23h + 59min + 59s);
  EXPECT_EQ(to_http_date(sys_days(chrono::year(1994) / 11 / 6) + 8h + 49min + 37s), "Sun, 06 Nov 1994 08:49:37 GMT");
}

// Found by the fuzzer: a year past 2262 overflowed the nanosecond count of a TimePoint.
TEST(Rfc3339, DatesATimePointCannotHoldAreRefused) {
  for (auto bad : {"9999-12-31T23:59:59.999999Z", "2263-01-01T00:00:00.000000Z", "1677-01-01T00:00:00.000000Z",
                   "0000-01-01T00:00:00.000000Z", "-999-01-01T00:00:00.000000Z", "+999-01-01T00:00:00.000000Z",
                   "2026-1-01T00:00:00.0000000Z", "2026-01-01T-1:00:00.000000Z", "2026-01-01T00:00:00.-00000Z",
                   "2026-02-29T00:00:00.000000Z", "2026-01-01T00:00:00.000000z",
                   "2026-01-21T08:00:60.000000Z"})  // found by the fuzzer: it read back as 08:01:00
    EXPECT_FALSE(from_rfc3339(bad)) << bad;
  for (auto good : {"2262-01-01T00:00:00.000000Z", "1678-01-01T00:00:00.000000Z", "2026-11-21T08:00:00.123456Z"}) {
    auto at = from_rfc3339(good);
    ASSERT_TRUE(at) << good;
    EXPECT_EQ(to_rfc3339(*at), good);
  }
}

TEST(Micros, CountsATimePointCannotHoldSaturate) {
  EXPECT_EQ(from_micros(INT64_MAX), from_micros(max_micros));
  EXPECT_EQ(from_micros(INT64_MIN), from_micros(min_micros));
  EXPECT_GT(from_micros(INT64_MAX), from_micros(0));
  EXPECT_LT(from_micros(INT64_MIN), from_micros(0));
  auto const now = chrono::floor<chrono::microseconds>(oauth::Clock::now());
  EXPECT_EQ(from_micros(to_micros(now)), now);
}

// Found by the fuzzer in several places (SQLite's messages, a stored key id, a config key):
// text from outside went into errors and audit rows as it came.
TEST(PrintableLine, KeepsTheFirstLineAsPrintableAsciiWithinTheLimit) {
  EXPECT_EQ(printable_line("invalid scope\r\nX-Forged: yes"), "invalid scope");
  EXPECT_EQ(printable_line("a\x1b[2Jb\tc\x7f\xc3\xa9"), "a?[2Jb?c???");
  EXPECT_EQ(printable_line(std::string(300, 'x')), std::string(200, 'x') + "...");
  EXPECT_EQ(printable_line("abcdef", 3), "abc...");
  EXPECT_EQ(printable_line("abc", 3), "abc");
  EXPECT_EQ(printable_line(std::string_view("a\0b", 3)), "a?b");
}

}  // namespace
