#ifndef OAUTH_DETAIL_API_TARGET_HPP
#define OAUTH_DETAIL_API_TARGET_HPP

#include <oauth/detail/encoding/ascii.hpp>
#include <oauth/detail/encoding/printable.hpp>
#include <oauth/detail/http/url.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_profile.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace oauth::detail::api {

/// Whether `host` is one of the provider's API hosts (or a subdomain of one); without a
/// list, the hosts of its API base, userinfo and validation endpoints.
inline bool is_api_host(ProviderProfile const& provider, std::string_view host) {
  auto matches = [&](std::string_view allowed) {
    return encoding::ascii_iequals(host, allowed) ||
           (host.size() > allowed.size() && host[host.size() - allowed.size() - 1] == '.' &&
            encoding::ascii_iequals(host.substr(host.size() - allowed.size()), allowed));
  };
  if (provider.api_hosts) return std::ranges::any_of(*provider.api_hosts, matches);
  auto host_of = [](std::string_view url) -> std::string {
    auto parsed = http::parse_url(url);
    return parsed ? std::string(parsed->host_address()) : std::string{};
  };
  for (auto const& endpoint : {provider.api_base_url, provider.userinfo_endpoint, provider.validation_endpoint})
    if (endpoint && encoding::ascii_iequals(host, host_of(*endpoint))) return true;
  return false;
}

template <Provider P>
bool is_api_host(std::string_view host) {
  return is_api_host(provider_profile<P>, host);
}

inline std::string origin_of(boost::urls::url_view const& url) {
  std::string origin(url.scheme());
  origin += "://";
  origin += url.encoded_authority();
  return origin;
}

/// The URL a request goes to: a path joined to the API base, or a URL on one of the API
/// hosts, moved to the endpoint base when one is configured; or a URL already on that
/// base (a next link a proxy or a test server wrote), as it is. Any other is refused.
inline Result<std::string> resolve_target(ProviderProfile const& provider, std::string_view target,
                                          std::string_view endpoint_base) {
  if (target.starts_with('/')) {
    if (!boost::urls::parse_origin_form(target))
      return Error(Errc::invalid_argument, std::string(provider.name) + " API target is not a valid path and query");
    if (!provider.api_base_url)
      return Error(Errc::invalid_argument, std::string(provider.name) + " has no API base URL: give a whole URL");
    std::string_view base = *provider.api_base_url;
    while (base.ends_with('/')) base.remove_suffix(1);
    return http::rebase_url(std::string(base) + std::string(target), endpoint_base);
  }
  auto parsed = http::parse_url(target);
  if (!parsed ||
      (parsed->scheme_id() != boost::urls::scheme::https && parsed->scheme_id() != boost::urls::scheme::http))
    return Error(Errc::invalid_argument,
                 std::string(provider.name) + " API target is neither a path nor an http(s) URL");
  if (is_api_host(provider, parsed->host_address())) return http::rebase_url(target, endpoint_base);
  if (!endpoint_base.empty()) {
    auto base = http::parse_url(endpoint_base);
    if (base && origin_of(*base) == origin_of(*parsed)) return std::string(target);
  }
  return Error(Errc::invalid_argument, "refusing to send a " + std::string(provider.name) + " token to " +
                                           detail::encoding::printable_line(parsed->host_address(), 100));
}

template <Provider P>
Result<std::string> resolve_target(std::string_view target, std::string_view endpoint_base) {
  return resolve_target(provider_profile<P>, target, endpoint_base);
}

}  // namespace oauth::detail::api

#endif
