#ifndef OAUTH_PROTOCOL_TOKEN_RESPONSE_HPP
#define OAUTH_PROTOCOL_TOKEN_RESPONSE_HPP

#include <oauth/detail/encoding/ascii.hpp>
#include <oauth/detail/json/unique_members.hpp>
#include <oauth/detail/protocol/token_fields.hpp>
#include <oauth/error.hpp>
#include <oauth/http/message.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/provider.hpp>
#include <oauth/secret.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

/// A successful answer from the token endpoint (RFC 6749 section 5.1).
struct TokenResponse {
  AccessToken access_token = {};
  std::optional<RefreshToken> refresh_token = {};       ///< absent, or null (Notion): keep the old one
  std::optional<std::chrono::seconds> expires_in = {};  ///< absent: the provider does not say
  std::optional<std::vector<std::string>> scopes = {};  ///< absent: as requested
  /// The rest of the response, tokens removed: where Notion puts the workspace and owner.
  boost::json::object fields = {};
};

/// Reads a token endpoint's answer the way real providers send it: `expires_in` as a
/// number or a string, `scope` as a string or an array, the refresh token absent or null.
/// Insists on what matters: a JSON object, an access token, token_type bearer. Anything
/// but a 2xx is the provider's error, typed. `provider` names who answered.
inline Result<TokenResponse> parse_token_response(std::string_view provider, HttpResponse const& response,
                                                  std::string_view during = "token request") {
  auto invalid = [&](std::string const& what) {
    Error error(Errc::invalid_token_response, std::string(provider) + ' ' + std::string(during) + ": " + what);
    error.provider = provider;
    error.provider_status = response.status;
    return error;
  };
  if (response.status < 200 || response.status >= 300) return provider_error(provider, response, during);

  boost::system::error_code ec;
  auto json = boost::json::parse(response.body, ec);
  if (ec || !json.is_object()) return invalid("response is not a JSON object");
  // Two access tokens in one answer: which one the provider meant is anyone's guess.
  if (detail::json::has_duplicate_member(response.body, json)) return invalid("response names a member twice");
  auto& object = json.get_object();
  using detail::token_response::max_token_bytes;

  TokenResponse token;
  auto const* access = object.if_contains("access_token");
  if (access == nullptr || !access->is_string() || access->get_string().empty())
    return invalid("access_token is missing or not a string");
  if (access->get_string().size() > max_token_bytes) return invalid("access_token is longer than 16 KiB");
  token.access_token = AccessToken(std::string_view(access->get_string()));

  auto const* type = object.if_contains("token_type");
  if (type == nullptr || !type->is_string() ||
      !detail::encoding::ascii_iequals(std::string_view(type->get_string()), "bearer"))
    return invalid("token_type must be bearer");

  if (auto const* refresh = object.if_contains("refresh_token"); refresh != nullptr && !refresh->is_null()) {
    if (!refresh->is_string()) return invalid("refresh_token must be a string or null");
    if (refresh->get_string().size() > max_token_bytes) return invalid("refresh_token is longer than 16 KiB");
    if (!refresh->get_string().empty()) token.refresh_token = RefreshToken(std::string_view(refresh->get_string()));
  }

  auto expires = detail::token_response::expires_in(object.if_contains("expires_in"));
  if (!expires) return invalid(expires.error().description);
  token.expires_in = *expires;

  auto scopes = detail::token_response::scopes(object.if_contains("scope"));
  if (!scopes) return invalid(scopes.error().description);
  token.scopes = std::move(*scopes);

  for (auto const* secret : {"access_token", "refresh_token", "id_token"}) {
    if (auto* v = object.if_contains(secret); v != nullptr && v->is_string()) {
      auto& s = v->get_string();
      OPENSSL_cleanse(s.data(), s.size());
    }
    object.erase(secret);
  }
  token.fields = std::move(object);
  return token;
}

template <Provider P>
Result<TokenResponse> parse_token_response(HttpResponse const& response, std::string_view during = "token request") {
  return parse_token_response(P::name, response, during);
}

}  // namespace oauth

#endif
