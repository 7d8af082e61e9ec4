// Dates, base64 and form encoding. The first line names the reader ("http-date",
// "rfc3339", "retry-after", "base64", "base64url", "form"); the rest is its input. What
// reads must write back to what was read.
#include "fuzz_input.hpp"

#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/encoding/form.hpp>
#include <oauth/detail/encoding/time.hpp>
#include <oauth/protocol/provider_error.hpp>

namespace enc = oauth::detail::encoding;

namespace {

void http_date(std::string_view text) {
  auto const now = std::chrono::sys_days(std::chrono::year(2026) / 12 / 2);
  auto const parsed = enc::parse_http_date(text, now);
  if (!parsed) return;
  auto const written = enc::to_http_date(*parsed);
  oauth::fuzz::require(enc::parse_http_date(written, now) == parsed, "an HTTP date reads back as written");
  // IMF-fixdate writes back to the letter, but for the day's name, which is not checked,
  // and a leap second, which is the next minute's first.
  if (text.size() == 29 && text.ends_with(" GMT") && text[3] == ',' && text.substr(23, 2) != "60")
    oauth::fuzz::require(written.substr(3) == text.substr(3), "an IMF-fixdate writes back as read");
}

void rfc3339(std::string_view text) {
  auto const parsed = enc::from_rfc3339(text);
  if (parsed) oauth::fuzz::require(enc::to_rfc3339(*parsed) == text, "an RFC 3339 time writes back as read");
}

void retry_after(std::string_view text) {
  oauth::HttpResponse response;
  response.status = 429;
  response.headers.emplace_back("Retry-After", std::string(text));
  auto const now = std::chrono::system_clock::time_point(std::chrono::seconds(1'796'000'000));
  auto const wait = oauth::detail::provider_error::retry_after(response, now);
  if (wait)
    oauth::fuzz::require(*wait >= std::chrono::seconds(0) && *wait <= std::chrono::hours(24),
                         "Retry-After is a wait of at most a day");
}

void base64(std::string_view text, enc::Alphabet alphabet) {
  auto const decoded = enc::base64_decode(text, alphabet);
  if (!decoded) return;
  auto unpadded = text;
  while (unpadded.ends_with('=')) unpadded.remove_suffix(1);
  oauth::fuzz::require(enc::base64_encode(*decoded, alphabet, enc::Padding::without) == unpadded,
                       "base64 decodes only the one encoding of its bytes");
  oauth::fuzz::require(
      enc::base64_decode(enc::base64_encode(*decoded, alphabet, enc::Padding::with), alphabet) == decoded,
      "base64 round-trips");
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void form(std::string_view text) {
  auto const encoded = enc::form_urlencode(text);
  std::string decoded;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    char const c = encoded[i];
    bool const plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '*';
    if (plain) {
      decoded += c;
    } else if (c == '+') {
      decoded += ' ';
    } else {
      oauth::fuzz::require(
          c == '%' && i + 2 < encoded.size() && hex_value(encoded[i + 1]) >= 0 && hex_value(encoded[i + 2]) >= 0,
          "form encoding writes only unreserved characters, '+' and %XX");
      decoded += static_cast<char>(hex_value(encoded[i + 1]) * 16 + hex_value(encoded[i + 2]));
      i += 2;
    }
  }
  oauth::fuzz::require(decoded == text, "form encoding decodes to what was encoded");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const input = oauth::fuzz::named(oauth::fuzz::as_text(data, size));
  if (!input) return 0;
  auto const [reader, text] = *input;
  if (reader == "http-date")
    http_date(text);
  else if (reader == "rfc3339")
    rfc3339(text);
  else if (reader == "retry-after")
    retry_after(text);
  else if (reader == "base64")
    base64(text, enc::Alphabet::standard);
  else if (reader == "base64url")
    base64(text, enc::Alphabet::url_safe);
  else if (reader == "form")
    form(text);
  return 0;
}
