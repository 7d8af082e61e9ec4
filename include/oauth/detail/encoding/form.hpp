#ifndef OAUTH_DETAIL_ENCODING_FORM_HPP
#define OAUTH_DETAIL_ENCODING_FORM_HPP

#include <string>
#include <string_view>

namespace oauth::detail::encoding {

/// application/x-www-form-urlencoded, as RFC 6749 appendix B asks: everything but
/// ALPHA / DIGIT / "-" / "." / "_" / "*" is percent-encoded, and space becomes "+".
inline void form_urlencode_append(std::string_view in, std::string& out) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  for (char c : in) {
    auto const u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '*') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
  }
}

inline std::string form_urlencode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  form_urlencode_append(in, out);
  return out;
}

/// Appends `name=value`, preceded by `&` unless `out` is empty.
inline void append_form_param(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out.push_back('&');
  form_urlencode_append(name, out);
  out.push_back('=');
  form_urlencode_append(value, out);
}

}  // namespace oauth::detail::encoding

#endif
