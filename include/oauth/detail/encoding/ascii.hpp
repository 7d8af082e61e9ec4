#ifndef OAUTH_DETAIL_ENCODING_ASCII_HPP
#define OAUTH_DETAIL_ENCODING_ASCII_HPP

#include <cctype>
#include <string>
#include <string_view>

namespace oauth::detail::encoding {

inline std::string ascii_upper(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

/// Whether `a` and `b` are the same text but for the case of ASCII letters: how HTTP
/// compares header names, schemes, tokens and host names. No locale is consulted.
constexpr bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

}  // namespace oauth::detail::encoding

#endif
