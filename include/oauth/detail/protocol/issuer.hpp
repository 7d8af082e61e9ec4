#ifndef OAUTH_DETAIL_PROTOCOL_ISSUER_HPP
#define OAUTH_DETAIL_PROTOCOL_ISSUER_HPP

#include <cstddef>
#include <string_view>

namespace oauth::detail::authorization_response {

/// The placeholder of Microsoft's multi-tenant metadata, which any directory id fills.
inline constexpr std::string_view tenant_placeholder = "{tenantid}";

constexpr bool is_directory_id(std::string_view id) noexcept {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char const c = id[i];
    bool const hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace oauth::detail::authorization_response

#endif
