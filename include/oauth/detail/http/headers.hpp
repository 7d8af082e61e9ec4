#ifndef OAUTH_DETAIL_HTTP_HEADERS_HPP
#define OAUTH_DETAIL_HTTP_HEADERS_HPP

#include <oauth/detail/encoding/ascii.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth::detail::http {

inline std::string_view find_header(std::vector<std::pair<std::string, std::string>> const& headers,
                                    std::string_view name) noexcept {
  for (auto const& [n, v] : headers)
    if (encoding::ascii_iequals(n, name)) return v;
  return {};
}

}  // namespace oauth::detail::http

#endif
