#ifndef OAUTH_PROTOCOL_ENDPOINT_REQUEST_HPP
#define OAUTH_PROTOCOL_ENDPOINT_REQUEST_HPP

#include <oauth/detail/encoding/form.hpp>
#include <oauth/detail/protocol/request_builder.hpp>
#include <oauth/http/message.hpp>
#include <oauth/protocol/client_credentials.hpp>
#include <oauth/provider.hpp>
#include <oauth/secret.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace oauth {

/// A POST to one of the provider's endpoints.
using EndpointRequest = HttpRequest;

enum class TokenTypeHint { access_token, refresh_token };

/// RFC 6749 section 4.1.3: the authorization code for tokens. `code_verifier` is the
/// PKCE verifier whose challenge went into the authorization URL.
template <Provider P>
EndpointRequest authorization_code_request(ClientCredentials const& client, AuthorizationCode const& code,
                                           std::string_view redirect_uri, CodeVerifier const* code_verifier = nullptr) {
  detail::request::Builder<P> builder{std::string(P::token_endpoint)};
  builder.param("grant_type", "authorization_code").param("code", code.reveal()).param("redirect_uri", redirect_uri);
  if constexpr (P::supports_pkce)
    if (code_verifier != nullptr) builder.param("code_verifier", code_verifier->reveal());
  return std::move(builder.authenticate(client)).build(P::token_body);
}

/// RFC 6749 section 6: a new access token from a refresh token. Exists only for
/// providers that refresh.
template <Refreshable P>
EndpointRequest refresh_request(ClientCredentials const& client, RefreshToken const& refresh_token) {
  detail::request::Builder<P> builder{std::string(P::token_endpoint)};
  builder.param("grant_type", "refresh_token").param("refresh_token", refresh_token.reveal());
  return std::move(builder.authenticate(client)).build(P::token_body);
}

/// Revokes a token at the provider (RFC 7009, or Google's query form). Exists only for
/// providers with a revocation endpoint.
template <Revocable P>
EndpointRequest revocation_request(ClientCredentials const& client, std::string_view token, TokenTypeHint hint) {
  if constexpr (P::revocation_style == RevocationStyle::token_in_query) {
    std::string url(P::revocation_endpoint);
    url += url.find('?') == std::string::npos ? "?token=" : "&token=";
    detail::encoding::form_urlencode_append(token, url);
    detail::request::Builder<P> builder{std::move(url)};
    return std::move(builder).build(BodyFormat::form);
  } else {
    detail::request::Builder<P> builder{std::string(P::revocation_endpoint)};
    builder.param("token", token);
    // token_type_hint is RFC 7009's, defined for form bodies only.
    if constexpr (P::token_body == BodyFormat::form)
      builder.param("token_type_hint", hint == TokenTypeHint::access_token ? "access_token" : "refresh_token");
    return std::move(builder.authenticate(client)).build(P::token_body);
  }
}

/// Asks the provider whether a token is active (RFC 7662, or Notion's JSON form). Exists
/// only for providers with an introspection endpoint.
template <Introspectable P>
EndpointRequest introspection_request(ClientCredentials const& client, std::string_view token) {
  detail::request::Builder<P> builder{std::string(P::introspection_endpoint)};
  builder.param("token", token);
  return std::move(builder.authenticate(client)).build(P::token_body);
}

}  // namespace oauth

#endif
