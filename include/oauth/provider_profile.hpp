#ifndef OAUTH_PROVIDER_PROFILE_HPP
#define OAUTH_PROVIDER_PROFILE_HPP

#include <oauth/error.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_options.hpp>
#include <oauth/scope.hpp>
#include <oauth/user_info.hpp>

#include <boost/json/fwd.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace oauth {

/// A provider's traits as values. The protocol functions have an overload taking one, for
/// a provider known only at run time; the manager runs every provider through them, so
/// that its code is compiled once and not once per provider, while its typed API keeps
/// each capability a compile-time fact. `provider_profile<P>` is P's.
struct ProviderProfile {
  std::string_view name = {};
  std::string_view authorization_endpoint = {};
  std::string_view token_endpoint = {};
  ClientAuth token_auth = ClientAuth::request_body;
  BodyFormat token_body = BodyFormat::form;
  bool supports_refresh = false;
  bool rotates_refresh_token = false;
  bool supports_pkce = false;
  std::string_view scope_separator = {};
  std::span<Scope const> scopes = {};
  Result<UserInfo> (*map_user_info)(boost::json::object const&) noexcept = nullptr;

  std::optional<std::string_view> userinfo_endpoint = {};
  std::optional<std::string_view> validation_endpoint = {};  ///< its own, else userinfo's; absent: none
  std::optional<std::string_view> revocation_endpoint = {};
  RevocationStyle revocation_style = RevocationStyle::rfc7009;
  std::optional<std::string_view> introspection_endpoint = {};
  std::optional<std::string_view> scope_prefix = {};
  std::optional<Param> incremental_authorization = {};
  std::span<Param const> authorization_params = {};
  std::span<Param const> request_headers = {};
  std::optional<std::string_view> api_base_url = {};
  std::optional<std::span<std::string_view const>> api_hosts = {};
  RateLimit api_rate_limit = {};
  std::string_view issuer = {};
  bool promises_iss_parameter = false;
};

template <Provider P>
constexpr ProviderProfile make_provider_profile() noexcept {
  ProviderProfile p{.name = P::name,
                    .authorization_endpoint = P::authorization_endpoint,
                    .token_endpoint = P::token_endpoint,
                    .token_auth = P::token_auth,
                    .token_body = P::token_body,
                    .supports_refresh = P::supports_refresh,
                    .rotates_refresh_token = P::rotates_refresh_token,
                    .supports_pkce = P::supports_pkce,
                    .scope_separator = P::scope_separator,
                    .scopes = P::scopes,
                    .map_user_info = [](boost::json::object const& json) noexcept -> Result<UserInfo> {
                      return P::map_user_info(json);
                    }};
  if constexpr (HasUserInfoEndpoint<P>) p.userinfo_endpoint = P::userinfo_endpoint;
  if constexpr (Validatable<P>) p.validation_endpoint = validation_endpoint<P>();
  if constexpr (Revocable<P>) {
    p.revocation_endpoint = P::revocation_endpoint;
    p.revocation_style = P::revocation_style;
  }
  if constexpr (Introspectable<P>) p.introspection_endpoint = P::introspection_endpoint;
  if constexpr (requires { P::scope_prefix; }) p.scope_prefix = P::scope_prefix;
  if constexpr (requires { P::incremental_authorization; }) p.incremental_authorization = P::incremental_authorization;
  p.authorization_params = authorization_params<P>();
  p.request_headers = request_headers<P>();
  if constexpr (requires { P::api_base_url; }) p.api_base_url = P::api_base_url;
  if constexpr (requires { P::api_hosts; }) p.api_hosts = std::span<std::string_view const>(P::api_hosts);
  p.api_rate_limit = api_rate_limit<P>();
  p.issuer = issuer<P>();
  p.promises_iss_parameter = promises_iss_parameter<P>();
  return p;
}

/// P's profile: one object per provider for the life of the program.
template <Provider P>
inline constexpr ProviderProfile provider_profile = make_provider_profile<P>();

}  // namespace oauth

#endif
