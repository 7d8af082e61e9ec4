#ifndef OAUTH_TESTS_FUZZ_FUZZ_INPUT_HPP
#define OAUTH_TESTS_FUZZ_FUZZ_INPUT_HPP

// What the fuzz targets share. Inputs are text wherever the surface is text, so that a
// seed reads like what it stands for: sections split by a line "----", and within one a
// first line, "Name: value" header lines, an empty line and a body (an HTTP message
// without the framing). A target checks properties of what it parsed and calls
// `require`, which aborts (a finding) when one does not hold.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth::fuzz {

inline std::string_view as_text(std::uint8_t const* data, std::size_t size) {
  return {reinterpret_cast<char const*>(data), size};
}

[[noreturn]] inline void violated(char const* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

inline void require(bool holds, char const* what) {
  if (!holds) violated(what);
}

/// An input whose first line names what reads the rest (a reader, a provider, a mode).
struct Named {
  std::string_view name;
  std::string_view rest;
};

/// `text` as a name and the rest, or nothing when it has no first line.
inline std::optional<Named> named(std::string_view text) {
  auto const newline = text.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  return Named{text.substr(0, newline), text.substr(newline + 1)};
}

/// `text` split at each line "----".
inline std::vector<std::string_view> sections(std::string_view text) {
  std::vector<std::string_view> out;
  constexpr std::string_view separator = "\n----\n";
  while (true) {
    auto const at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + separator.size());
  }
}

/// The `index`th section, empty when there are fewer.
inline std::string_view section(std::vector<std::string_view> const& all, std::size_t index) {
  return index < all.size() ? all[index] : std::string_view{};
}

struct Message {
  std::string_view first_line;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

/// A first line, header lines up to an empty one, and the rest as the body.
inline Message message(std::string_view text) {
  Message out;
  auto line = [&]() {
    auto const end = text.find('\n');
    auto const got = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return got;
  };
  out.first_line = line();
  while (!text.empty()) {
    auto const header = line();
    if (header.empty()) break;
    auto const colon = header.find(':');
    auto value = colon == std::string_view::npos ? std::string_view{} : header.substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    out.headers.emplace_back(header.substr(0, colon), value);
  }
  out.body = text;
  return out;
}

/// The first number on `line` after skipping `words` words; `fallback` when there is none.
inline unsigned long number_after(std::string_view line, std::size_t words, unsigned long fallback) {
  for (std::size_t i = 0; i < words; ++i) {
    auto const space = line.find(' ');
    if (space == std::string_view::npos) return fallback;
    line.remove_prefix(space + 1);
  }
  unsigned long value = 0;
  std::size_t digits = 0;
  for (char c : line) {
    if (c < '0' || c > '9' || digits == 12) break;
    value = value * 10 + static_cast<unsigned long>(c - '0');
    ++digits;
  }
  return digits == 0 ? fallback : value;
}

/// Whether `text` is fit for one log line: printable ASCII only, so no provider or
/// client can forge a line, move the cursor or colour a terminal.
inline bool printable(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  return true;
}

}  // namespace oauth::fuzz

#endif
