#ifndef OAUTH_PROTOCOL_ENDPOINT_REQUEST_HPP
#define OAUTH_PROTOCOL_ENDPOINT_REQUEST_HPP

#include <oauth/detail/encoding/form.hpp>
#include <oauth/detail/protocol/request_builder.hpp>
#include <oauth/http/message.hpp>
#include <oauth/protocol/client_credentials.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_profile.hpp>
#include <oauth/secret.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace oauth {

/// A POST to one of the provider's endpoints.
using EndpointRequest = HttpRequest;

enum class TokenTypeHint { access_token, refresh_token };

/// RFC 6749 section 4.1.3: the authorization code for tokens. `code_verifier` is the
/// PKCE verifier whose challenge went into the authorization URL; a provider without PKCE
/// is sent none.
inline EndpointRequest authorization_code_request(ProviderProfile const& provider, ClientCredentials const& client,
                                                  AuthorizationCode const& code, std::string_view redirect_uri,
                                                  CodeVerifier const* code_verifier = nullptr) {
  detail::request::Builder builder{provider, std::string(provider.token_endpoint)};
  builder.param("grant_type", "authorization_code").param("code", code.reveal()).param("redirect_uri", redirect_uri);
  if (provider.supports_pkce && code_verifier != nullptr) builder.param("code_verifier", code_verifier->reveal());
  return std::move(builder.authenticate(client)).build(provider.token_body);
}

template <Provider P>
EndpointRequest authorization_code_request(ClientCredentials const& client, AuthorizationCode const& code,
                                           std::string_view redirect_uri, CodeVerifier const* code_verifier = nullptr) {
  return authorization_code_request(provider_profile<P>, client, code, redirect_uri, code_verifier);
}

/// RFC 6749 section 6: a new access token from a refresh token. The typed form exists
/// only for providers that refresh.
inline EndpointRequest refresh_request(ProviderProfile const& provider, ClientCredentials const& client,
                                       RefreshToken const& refresh_token) {
  detail::request::Builder builder{provider, std::string(provider.token_endpoint)};
  builder.param("grant_type", "refresh_token").param("refresh_token", refresh_token.reveal());
  return std::move(builder.authenticate(client)).build(provider.token_body);
}

template <Refreshable P>
EndpointRequest refresh_request(ClientCredentials const& client, RefreshToken const& refresh_token) {
  return refresh_request(provider_profile<P>, client, refresh_token);
}

/// Revokes a token at the provider (RFC 7009, or Google's query form). The typed form
/// exists only for providers with a revocation endpoint; the other needs a profile that
/// has one.
inline EndpointRequest revocation_request(ProviderProfile const& provider, ClientCredentials const& client,
                                          std::string_view token, TokenTypeHint hint) {
  auto const endpoint = provider.revocation_endpoint.value_or(std::string_view{});
  if (provider.revocation_style == RevocationStyle::token_in_query) {
    std::string url(endpoint);
    url += url.find('?') == std::string::npos ? "?token=" : "&token=";
    detail::encoding::form_urlencode_append(token, url);
    detail::request::Builder builder{provider, std::move(url)};
    return std::move(builder).build(BodyFormat::form);
  }
  detail::request::Builder builder{provider, std::string(endpoint)};
  builder.param("token", token);
  // token_type_hint is RFC 7009's, defined for form bodies only.
  if (provider.token_body == BodyFormat::form)
    builder.param("token_type_hint", hint == TokenTypeHint::access_token ? "access_token" : "refresh_token");
  return std::move(builder.authenticate(client)).build(provider.token_body);
}

template <Revocable P>
EndpointRequest revocation_request(ClientCredentials const& client, std::string_view token, TokenTypeHint hint) {
  return revocation_request(provider_profile<P>, client, token, hint);
}

/// Asks the provider whether a token is active (RFC 7662, or Notion's JSON form). Exists
/// only for providers with an introspection endpoint.
template <Introspectable P>
EndpointRequest introspection_request(ClientCredentials const& client, std::string_view token) {
  auto const& provider = provider_profile<P>;
  detail::request::Builder builder{provider, std::string(P::introspection_endpoint)};
  builder.param("token", token);
  return std::move(builder.authenticate(client)).build(provider.token_body);
}

}  // namespace oauth

#endif
