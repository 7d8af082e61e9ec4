#ifndef OAUTH_DETAIL_ENCODING_PRINTABLE_HPP
#define OAUTH_DETAIL_ENCODING_PRINTABLE_HPP

#include <string>
#include <string_view>

namespace oauth::detail::encoding {

/// Text from outside (a provider's description, a client's user agent) made fit for a log
/// line or an audit row: its first line only, printable ASCII (anything else becomes '?'),
/// at most `limit` characters. Nobody who writes it can forge a line, move a terminal's
/// cursor or store invalid UTF-8.
inline std::string printable_line(std::string_view text, std::size_t limit = 200) {
  std::string clean;
  for (char c : text.substr(0, text.find_first_of("\r\n"))) {
    if (clean.size() == limit) {
      clean += "...";
      break;
    }
    clean += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return clean;
}

}  // namespace oauth::detail::encoding

#endif
