#ifndef OAUTH_PROTOCOL_AUTHORIZATION_URL_HPP
#define OAUTH_PROTOCOL_AUTHORIZATION_URL_HPP

#include <oauth/detail/encoding/form.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_profile.hpp>
#include <oauth/scope_catalogue.hpp>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

/// What goes into the URL the user's browser is sent to.
struct AuthorizationRequest {
  std::string_view client_id = {};
  std::string_view redirect_uri = {};
  std::vector<std::string_view> scopes = {};            ///< as requested; resolved against the catalogue
  std::string_view state = {};                          ///< from crypto::make_state(), kept server-side
  std::optional<std::string_view> code_challenge = {};  ///< S256, from crypto::make_pkce()
  std::vector<Param> extra_params = {};                 ///< login_hint, prompt, include_granted_scopes, ...
};

/// The authorization endpoint with RFC 6749 section 4.1.1 parameters, PKCE when the
/// provider supports it (and then required), and the provider's own extras, which an
/// extra parameter of the same name replaces (`access_type=online`).
inline Result<std::string> authorization_url(ProviderProfile const& provider, AuthorizationRequest const& request) {
  if (request.client_id.empty() || request.redirect_uri.empty() || request.state.empty())
    return Error(Errc::invalid_argument, "an authorization request needs a client id, a redirect URI and a state");
  if (provider.supports_pkce) {
    if (!request.code_challenge || request.code_challenge->empty())
      return Error(Errc::pkce_required, std::string(provider.name) + " authorization requests carry a PKCE challenge");
  } else if (request.code_challenge) {
    return Error(Errc::pkce_unsupported, std::string(provider.name) + " does not support PKCE");
  }
  constexpr std::string_view reserved[] = {"response_type", "client_id",      "redirect_uri",         "scope",
                                           "state",         "code_challenge", "code_challenge_method"};
  auto const named_in = [](auto const& params, std::string_view name) {
    return std::any_of(std::begin(params), std::end(params), [&](auto const& p) { return p.name == name; });
  };
  for (auto const& param : request.extra_params)
    if (std::find(std::begin(reserved), std::end(reserved), param.name) != std::end(reserved))
      return Error(Errc::invalid_argument, "extra parameter " + std::string(param.name) + " is set by the library");
  auto scopes = resolve_scopes(provider, request.scopes);
  if (!scopes) return scopes.error();

  std::string query;
  detail::encoding::append_form_param(query, "response_type", "code");
  detail::encoding::append_form_param(query, "client_id", request.client_id);
  detail::encoding::append_form_param(query, "redirect_uri", request.redirect_uri);
  if (!scopes->empty()) detail::encoding::append_form_param(query, "scope", join_scopes(provider, *scopes));
  detail::encoding::append_form_param(query, "state", request.state);
  if (provider.supports_pkce) {
    detail::encoding::append_form_param(query, "code_challenge", *request.code_challenge);
    detail::encoding::append_form_param(query, "code_challenge_method", "S256");
  }
  for (auto const& param : provider.authorization_params)
    if (!named_in(request.extra_params, param.name))
      detail::encoding::append_form_param(query, param.name, param.value);
  for (auto const& param : request.extra_params) detail::encoding::append_form_param(query, param.name, param.value);

  std::string url(provider.authorization_endpoint);
  url += url.find('?') == std::string::npos ? '?' : '&';
  return url + query;
}

template <Provider P>
Result<std::string> authorization_url(AuthorizationRequest const& request) {
  return authorization_url(provider_profile<P>, request);
}

}  // namespace oauth

#endif
