#ifndef OAUTH_PROVIDER_HPP
#define OAUTH_PROVIDER_HPP

#include <oauth/detail/provider/requirements.hpp>
#include <oauth/error.hpp>
#include <oauth/provider_options.hpp>
#include <oauth/scope.hpp>
#include <oauth/user_info.hpp>

#include <span>
#include <string_view>

namespace oauth {

/// A provider traits struct: endpoints, client authentication, capabilities, scope
/// catalogue and one pure user-info mapping. docs/providers.md lists every member; see
/// providers/google.hpp for the shape.
template <class P>
concept Provider = detail::provider::declares_required_members<P> && detail::provider::members_well_typed<P>;

/// Checks a provider member by member, so that a bad one gets one error line per problem,
/// naming the member and saying whether it is missing or of the wrong type. Manager<...>
/// and the generic code that takes a provider check it for you; to check a provider of
/// your own where you write it, `static_assert(oauth::verify_provider<MyProvider>);` (its
/// value is true whenever it compiles). For a yes/no answer, ask the concept:
/// `oauth::Provider<MyProvider>`.
template <class P>
struct ProviderRequirements {
  // Required members.
  static_assert(detail::provider::declares_name<P>, "oauth provider: missing static constexpr std::string_view name");
  static_assert(detail::provider::name_ok<P>, "oauth provider: name must be a std::string_view");
  static_assert(detail::provider::declares_authorization_endpoint<P>,
                "oauth provider: missing static constexpr std::string_view authorization_endpoint");
  static_assert(detail::provider::authorization_endpoint_ok<P>,
                "oauth provider: authorization_endpoint must be a std::string_view");
  static_assert(detail::provider::declares_token_endpoint<P>,
                "oauth provider: missing static constexpr std::string_view token_endpoint");
  static_assert(detail::provider::token_endpoint_ok<P>, "oauth provider: token_endpoint must be a std::string_view");
  static_assert(detail::provider::declares_token_auth<P>,
                "oauth provider: missing static constexpr oauth::ClientAuth token_auth");
  static_assert(detail::provider::token_auth_ok<P>, "oauth provider: token_auth must be an oauth::ClientAuth");
  static_assert(detail::provider::declares_token_body<P>,
                "oauth provider: missing static constexpr oauth::BodyFormat token_body");
  static_assert(detail::provider::token_body_ok<P>, "oauth provider: token_body must be an oauth::BodyFormat");
  static_assert(detail::provider::declares_supports_refresh<P>,
                "oauth provider: missing static constexpr bool supports_refresh");
  static_assert(detail::provider::supports_refresh_ok<P>, "oauth provider: supports_refresh must be a bool");
  static_assert(detail::provider::declares_rotates_refresh_token<P>,
                "oauth provider: missing static constexpr bool rotates_refresh_token");
  static_assert(detail::provider::rotates_refresh_token_ok<P>, "oauth provider: rotates_refresh_token must be a bool");
  static_assert(detail::provider::declares_supports_pkce<P>,
                "oauth provider: missing static constexpr bool supports_pkce");
  static_assert(detail::provider::supports_pkce_ok<P>, "oauth provider: supports_pkce must be a bool");
  static_assert(detail::provider::declares_scope_separator<P>,
                "oauth provider: missing static constexpr std::string_view scope_separator");
  static_assert(detail::provider::scope_separator_ok<P>, "oauth provider: scope_separator must be a std::string_view");
  static_assert(detail::provider::declares_scopes<P>,
                "oauth provider: missing static constexpr scopes (a std::array of oauth::Scope)");
  static_assert(detail::provider::scopes_ok<P>, "oauth provider: scopes must be a std::array of oauth::Scope");
  static_assert(detail::provider::declares_map_user_info<P>,
                "oauth provider: missing static oauth::Result<oauth::UserInfo> "
                "map_user_info(boost::json::object const&) noexcept");
  static_assert(detail::provider::map_user_info_ok<P>,
                "oauth provider: map_user_info must return oauth::Result<oauth::UserInfo> and be noexcept");
  // Optional members: absent is fine, present must be well typed.
  static_assert(detail::provider::revocation_ok<P>,
                "oauth provider: revocation_endpoint needs a std::string_view and an oauth::RevocationStyle "
                "revocation_style");
  static_assert(detail::provider::userinfo_ok<P>, "oauth provider: userinfo_endpoint must be a std::string_view");
  static_assert(detail::provider::introspection_ok<P>,
                "oauth provider: introspection_endpoint must be a std::string_view");
  static_assert(detail::provider::authorization_params_ok<P>,
                "oauth provider: authorization_params must be a std::array of oauth::Param");
  static_assert(detail::provider::request_headers_ok<P>,
                "oauth provider: request_headers must be a std::array of oauth::Param");
  static_assert(detail::provider::scope_prefix_ok<P>, "oauth provider: scope_prefix must be a std::string_view");
  static_assert(detail::provider::incremental_authorization_ok<P>,
                "oauth provider: incremental_authorization must be an oauth::Param");
  static_assert(detail::provider::api_base_url_ok<P>, "oauth provider: api_base_url must be a std::string_view");
  static_assert(detail::provider::api_hosts_ok<P>,
                "oauth provider: api_hosts must be a std::array of std::string_view");
  static_assert(detail::provider::api_pagination_ok<P>, "oauth provider: api_pagination must be an oauth::Pagination");
  static_assert(detail::provider::api_rate_limit_ok<P>, "oauth provider: api_rate_limit must be an oauth::RateLimit");
  static_assert(detail::provider::validation_endpoint_ok<P>,
                "oauth provider: validation_endpoint must be a std::string_view");
  static_assert(detail::provider::issuer_ok<P>, "oauth provider: issuer must be a std::string_view");
  static_assert(detail::provider::iss_parameter_ok<P>,
                "oauth provider: authorization_response_iss_parameter_supported must be a bool");
  static_assert(detail::provider::describe_error_ok<P>,
                "oauth provider: describe_error must be static oauth::UserFacingError "
                "describe_error(oauth::Error const&, oauth::Operation)");

  static constexpr bool value = true;
};

template <class P>
inline constexpr bool verify_provider = ProviderRequirements<P>::value;

// Capabilities: code that needs one is declared `requires Capability<P>`, so asking a
// provider for what it cannot do does not compile.

template <class P>
concept Refreshable = Provider<P> && P::supports_refresh;

template <class P>
concept Revocable = Provider<P> && detail::provider::declares_revocation_endpoint<P>;

template <class P>
concept Introspectable = Provider<P> && requires {
  P::introspection_endpoint;
};

/// Identity comes from a userinfo endpoint; otherwise map_user_info reads the token
/// response itself (Notion).
template <class P>
concept HasUserInfoEndpoint = Provider<P> && requires {
  P::userinfo_endpoint;
};

/// A read call that tells whether a token still works: the provider's own
/// `validation_endpoint` (Notion's bot user), else its userinfo endpoint.
template <class P>
concept Validatable = Provider<P> &&(HasUserInfoEndpoint<P> || requires { P::validation_endpoint; });

template <Validatable P>
constexpr std::string_view validation_endpoint() noexcept {
  if constexpr (requires { P::validation_endpoint; })
    return P::validation_endpoint;
  else
    return P::userinfo_endpoint;
}

/// How the provider's API lists page, `none` when it does not say.
template <Provider P>
constexpr Pagination api_pagination() noexcept {
  if constexpr (requires { P::api_pagination; })
    return P::api_pagination;
  else
    return Pagination::none;
}

/// The rate the provider's API holds one credential to, unlimited when it does not say.
template <Provider P>
constexpr RateLimit api_rate_limit() noexcept {
  if constexpr (requires { P::api_rate_limit; })
    return P::api_rate_limit;
  else
    return {};
}

/// The provider's issuer identifier (RFC 8414, RFC 9207), empty when it names none.
template <Provider P>
constexpr std::string_view issuer() noexcept {
  if constexpr (requires { P::issuer; })
    return P::issuer;
  else
    return {};
}

/// Whether the provider promises `iss` in every authorization response (RFC 9207's
/// `authorization_response_iss_parameter_supported`).
template <Provider P>
constexpr bool promises_iss_parameter() noexcept {
  if constexpr (requires { P::authorization_response_iss_parameter_supported; })
    return P::authorization_response_iss_parameter_supported;
  else
    return false;
}

/// The provider's extra authorization parameters, empty when it declares none.
template <Provider P>
constexpr std::span<Param const> authorization_params() noexcept {
  if constexpr (requires { P::authorization_params; })
    return P::authorization_params;
  else
    return {};
}

/// Headers the provider wants on every request to its endpoints (Notion-Version).
template <Provider P>
constexpr std::span<Param const> request_headers() noexcept {
  if constexpr (requires { P::request_headers; })
    return P::request_headers;
  else
    return {};
}

}  // namespace oauth

#endif
