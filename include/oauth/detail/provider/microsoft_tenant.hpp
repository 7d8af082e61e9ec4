#ifndef OAUTH_DETAIL_PROVIDER_MICROSOFT_TENANT_HPP
#define OAUTH_DETAIL_PROVIDER_MICROSOFT_TENANT_HPP

#include <algorithm>
#include <string_view>

namespace oauth::detail::provider {

constexpr bool is_microsoft_tenant(std::string_view tenant) noexcept {
  return !tenant.empty() && std::all_of(tenant.begin(), tenant.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

}  // namespace oauth::detail::provider

#endif
