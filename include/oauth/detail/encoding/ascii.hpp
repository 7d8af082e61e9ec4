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

}  // namespace oauth::detail::encoding

#endif
