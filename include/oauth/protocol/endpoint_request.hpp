#ifndef OAUTH_PROTOCOL_ENDPOINT_REQUEST_HPP
#define OAUTH_PROTOCOL_ENDPOINT_REQUEST_HPP

#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/encoding/form.hpp>
#include <oauth/http/message.hpp>
#include <oauth/provider.hpp>
#include <oauth/secret.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth {

/// The application's registration at a provider.
struct ClientCredentials {
  std::string client_id;
  ClientSecret client_secret;
};

/// A POST to one of the provider's endpoints.
using EndpointRequest = HttpRequest;

enum class TokenTypeHint { access_token, refresh_token };

namespace detail::request {

/// Collects body parameters and renders them in the provider's body format, with the
/// client authenticated the provider's way.
template <Provider P>
class Builder {
public:
  explicit Builder(std::string url) { request_.url = std::move(url); }

  Builder& param(std::string_view name, std::string_view value) {
    params_.emplace_back(name, value);
    return *this;
  }

  Builder& authenticate(ClientCredentials const& client) {
    if constexpr (P::token_auth == ClientAuth::basic) {
      // RFC 6749 section 2.3.1: each part form-encoded before joining.
      auto credentials = encoding::form_urlencode(client.client_id) + ':' +
                         encoding::form_urlencode(client.client_secret.reveal());
      request_.headers.emplace_back(
          "Authorization",
          "Basic " + encoding::base64_encode(credentials, encoding::Alphabet::standard, encoding::Padding::with));
      OPENSSL_cleanse(credentials.data(), credentials.size());
    } else {
      param("client_id", client.client_id);
      param("client_secret", client.client_secret.reveal());
    }
    return *this;
  }

  EndpointRequest build(BodyFormat format) && {
    request_.headers.emplace_back("Accept", "application/json");
    for (auto const& header : request_headers<P>()) request_.headers.emplace_back(header.name, header.value);
    if (format == BodyFormat::json) {
      request_.headers.emplace_back("Content-Type", "application/json");
      boost::json::object body;
      for (auto const& [name, value] : params_) body[name] = value;
      request_.body = boost::json::serialize(body);
    } else {
      request_.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      for (auto const& [name, value] : params_) encoding::append_form_param(request_.body, name, value);
    }
    return std::move(request_);
  }

private:
  EndpointRequest request_;
  std::vector<std::pair<std::string_view, std::string_view>> params_;
};

}  // namespace detail::request

/// RFC 6749 section 4.1.3: the authorization code for tokens. `code_verifier` is the
/// PKCE verifier whose challenge went into the authorization URL.
template <Provider P>
EndpointRequest authorization_code_request(ClientCredentials const& client, AuthorizationCode const& code,
                                           std::string_view redirect_uri,
                                           CodeVerifier const* code_verifier = nullptr) {
  detail::request::Builder<P> builder{std::string(P::token_endpoint)};
  builder.param("grant_type", "authorization_code").param("code", code.reveal()).param("redirect_uri", redirect_uri);
  if constexpr (P::supports_pkce)
    if (code_verifier != nullptr) builder.param("code_verifier", code_verifier->reveal());
  return std::move(builder.authenticate(client)).build(P::token_body);
}

/// RFC 6749 section 6: a new access token from a refresh token. Exists only for
/// providers that refresh.
template <Provider P>
  requires Refreshable<P>
EndpointRequest refresh_request(ClientCredentials const& client, RefreshToken const& refresh_token) {
  detail::request::Builder<P> builder{std::string(P::token_endpoint)};
  builder.param("grant_type", "refresh_token").param("refresh_token", refresh_token.reveal());
  return std::move(builder.authenticate(client)).build(P::token_body);
}

/// Revokes a token at the provider (RFC 7009, or Google's query form). Exists only for
/// providers with a revocation endpoint.
template <Provider P>
  requires Revocable<P>
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
template <Provider P>
  requires Introspectable<P>
EndpointRequest introspection_request(ClientCredentials const& client, std::string_view token) {
  detail::request::Builder<P> builder{std::string(P::introspection_endpoint)};
  builder.param("token", token);
  return std::move(builder.authenticate(client)).build(P::token_body);
}

}  // namespace oauth

#endif
