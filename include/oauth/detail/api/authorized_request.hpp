#ifndef OAUTH_DETAIL_API_AUTHORIZED_REQUEST_HPP
#define OAUTH_DETAIL_API_AUTHORIZED_REQUEST_HPP

#include <oauth/api/request.hpp>
#include <oauth/detail/encoding/ascii.hpp>
#include <oauth/http/message.hpp>
#include <oauth/provider_profile.hpp>
#include <oauth/secret.hpp>

#include <string>
#include <utility>

namespace oauth::detail::api {

/// `request` as sent to `url` with `token`: the bearer token, JSON accepted, the provider's own
/// headers, then the caller's (an Authorization of the caller's is dropped).
inline HttpRequest authorized_request(ProviderProfile const& provider, ApiRequest const& request, std::string url,
                                      AccessToken const& token) {
  HttpRequest http{request.method, std::move(url), {}, request.body};
  http.headers.emplace_back("Authorization", "Bearer " + std::string(token.reveal()));
  http.headers.emplace_back("Accept", "application/json");
  for (auto const& header : provider.request_headers) http.headers.emplace_back(header.name, header.value);
  for (auto const& [name, value] : request.headers)
    if (!encoding::ascii_iequals(name, "Authorization")) http.headers.emplace_back(name, value);
  return http;
}

}  // namespace oauth::detail::api

#endif
