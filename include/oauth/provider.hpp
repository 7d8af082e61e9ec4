#ifndef OAUTH_PROVIDER_HPP
#define OAUTH_PROVIDER_HPP

#include <oauth/error.hpp>
#include <oauth/scope.hpp>
#include <oauth/user_info.hpp>

#include <boost/json/object.hpp>

#include <concepts>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>

namespace oauth {

/// How the client proves itself at the token endpoint (RFC 6749 section 2.3.1).
enum class ClientAuth {
  request_body,  ///< client_id and client_secret as body parameters
  basic,         ///< HTTP Basic with the form-encoded id and secret
};

/// How token and revocation request bodies are encoded.
enum class BodyFormat { form, json };

/// How a token is handed to the revocation endpoint.
enum class RevocationStyle {
  rfc7009,         ///< in the body, with the client authenticated as at the token endpoint
  token_in_query,  ///< `?token=...` and no client authentication (Google)
};

/// How a provider's API lists hand over their next page.
enum class Pagination {
  none,
  notion_cursor,      ///< `has_more` and `next_cursor`; `start_cursor` in the body (POST) or query (GET)
  odata_next_link,    ///< `@odata.nextLink`: the next page's whole URL (Microsoft Graph)
  google_page_token,  ///< `nextPageToken`, sent back as the `pageToken` query parameter
};

/// A request rate a provider holds callers to: `per_second` on average, `burst` at once.
struct RateLimit {
  double per_second = 0;  ///< 0: no limit
  unsigned burst = 1;
};

/// A name and a value, for extra authorization parameters and request headers.
struct Param {
  std::string_view name;
  std::string_view value;
};

namespace detail::provider {

template <class T, class U>
concept member_of_type = std::same_as<std::remove_cvref_t<T>, U>;

template <class R, class V>
concept range_of = std::ranges::range<R> && std::same_as<std::ranges::range_value_t<R>, V>;

template <class P> concept has_name = requires { requires member_of_type<decltype(P::name), std::string_view>; };
template <class P> concept has_authorization_endpoint =
    requires { requires member_of_type<decltype(P::authorization_endpoint), std::string_view>; };
template <class P> concept has_token_endpoint =
    requires { requires member_of_type<decltype(P::token_endpoint), std::string_view>; };
template <class P> concept has_token_auth = requires { requires member_of_type<decltype(P::token_auth), ClientAuth>; };
template <class P> concept has_token_body = requires { requires member_of_type<decltype(P::token_body), BodyFormat>; };
template <class P> concept has_supports_refresh =
    requires { requires member_of_type<decltype(P::supports_refresh), bool>; };
template <class P> concept has_rotates_refresh_token =
    requires { requires member_of_type<decltype(P::rotates_refresh_token), bool>; };
template <class P> concept has_supports_pkce = requires { requires member_of_type<decltype(P::supports_pkce), bool>; };
template <class P> concept has_scope_separator =
    requires { requires member_of_type<decltype(P::scope_separator), std::string_view>; };
template <class P> concept has_scopes = requires { requires range_of<decltype(P::scopes), Scope>; };
template <class P> concept has_map_user_info = requires(boost::json::object const& json) {
  { P::map_user_info(json) } noexcept -> std::same_as<Result<UserInfo>>;
};

// Optional members: absent is fine, present must be well typed.
template <class P> concept declares_revocation_endpoint = requires { P::revocation_endpoint; };
template <class P> concept revocation_ok =
    !declares_revocation_endpoint<P> ||
    requires {
      requires member_of_type<decltype(P::revocation_endpoint), std::string_view>;
      requires member_of_type<decltype(P::revocation_style), RevocationStyle>;
    };
template <class P> concept userinfo_ok =
    !requires { P::userinfo_endpoint; } ||
    requires { requires member_of_type<decltype(P::userinfo_endpoint), std::string_view>; };
template <class P> concept introspection_ok =
    !requires { P::introspection_endpoint; } ||
    requires { requires member_of_type<decltype(P::introspection_endpoint), std::string_view>; };
template <class P> concept authorization_params_ok =
    !requires { P::authorization_params; } || requires { requires range_of<decltype(P::authorization_params), Param>; };
template <class P> concept request_headers_ok =
    !requires { P::request_headers; } || requires { requires range_of<decltype(P::request_headers), Param>; };
template <class P> concept incremental_authorization_ok =
    !requires { P::incremental_authorization; } ||
    requires { requires member_of_type<decltype(P::incremental_authorization), Param>; };
template <class P> concept api_base_url_ok =
    !requires { P::api_base_url; } || requires { requires member_of_type<decltype(P::api_base_url), std::string_view>; };
template <class P> concept api_hosts_ok =
    !requires { P::api_hosts; } || requires { requires range_of<decltype(P::api_hosts), std::string_view>; };
template <class P> concept api_pagination_ok =
    !requires { P::api_pagination; } || requires { requires member_of_type<decltype(P::api_pagination), Pagination>; };
template <class P> concept api_rate_limit_ok =
    !requires { P::api_rate_limit; } || requires { requires member_of_type<decltype(P::api_rate_limit), RateLimit>; };
template <class P> concept validation_endpoint_ok =
    !requires { P::validation_endpoint; } ||
    requires { requires member_of_type<decltype(P::validation_endpoint), std::string_view>; };
template <class P> concept issuer_ok =
    !requires { P::issuer; } || requires { requires member_of_type<decltype(P::issuer), std::string_view>; };
template <class P> concept iss_parameter_ok =
    !requires { P::authorization_response_iss_parameter_supported; } ||
    requires { requires member_of_type<decltype(P::authorization_response_iss_parameter_supported), bool>; };
template <class P> concept scope_prefix_ok =
    !requires { P::scope_prefix; } || requires { requires member_of_type<decltype(P::scope_prefix), std::string_view>; };

}  // namespace detail::provider

/// A provider traits struct: endpoints, client authentication, capabilities, scope
/// catalogue and one pure user-info mapping. See providers/google.hpp for the shape.
template <class P>
concept Provider =
    detail::provider::has_name<P> && detail::provider::has_authorization_endpoint<P> &&
    detail::provider::has_token_endpoint<P> && detail::provider::has_token_auth<P> &&
    detail::provider::has_token_body<P> && detail::provider::has_supports_refresh<P> &&
    detail::provider::has_rotates_refresh_token<P> && detail::provider::has_supports_pkce<P> &&
    detail::provider::has_scope_separator<P> && detail::provider::has_scopes<P> &&
    detail::provider::has_map_user_info<P> && detail::provider::revocation_ok<P> &&
    detail::provider::userinfo_ok<P> && detail::provider::introspection_ok<P> &&
    detail::provider::authorization_params_ok<P> && detail::provider::request_headers_ok<P> &&
    detail::provider::scope_prefix_ok<P> && detail::provider::incremental_authorization_ok<P> &&
    detail::provider::api_base_url_ok<P> && detail::provider::api_hosts_ok<P> &&
    detail::provider::api_pagination_ok<P> && detail::provider::api_rate_limit_ok<P> &&
    detail::provider::validation_endpoint_ok<P> && detail::provider::issuer_ok<P> &&
    detail::provider::iss_parameter_ok<P>;

/// Checks a provider member by member, so that a bad one gets one error line naming what
/// it lacks. Use it as `static_assert(oauth::verify_provider<MyProvider>);`: its value is
/// true whenever it compiles, so the only error is the one that names the member. For a
/// yes/no answer, ask the concept: `oauth::Provider<MyProvider>`.
template <class P>
struct ProviderRequirements {
  static_assert(detail::provider::has_name<P>, "oauth provider: missing static constexpr std::string_view name");
  static_assert(detail::provider::has_authorization_endpoint<P>,
                "oauth provider: missing static constexpr std::string_view authorization_endpoint");
  static_assert(detail::provider::has_token_endpoint<P>,
                "oauth provider: missing static constexpr std::string_view token_endpoint");
  static_assert(detail::provider::has_token_auth<P>, "oauth provider: missing static constexpr oauth::ClientAuth token_auth");
  static_assert(detail::provider::has_token_body<P>, "oauth provider: missing static constexpr oauth::BodyFormat token_body");
  static_assert(detail::provider::has_supports_refresh<P>,
                "oauth provider: missing static constexpr bool supports_refresh");
  static_assert(detail::provider::has_rotates_refresh_token<P>,
                "oauth provider: missing static constexpr bool rotates_refresh_token");
  static_assert(detail::provider::has_supports_pkce<P>, "oauth provider: missing static constexpr bool supports_pkce");
  static_assert(detail::provider::has_scope_separator<P>,
                "oauth provider: missing static constexpr std::string_view scope_separator");
  static_assert(detail::provider::has_scopes<P>,
                "oauth provider: missing static constexpr scopes (a std::array of oauth::Scope)");
  static_assert(detail::provider::has_map_user_info<P>,
                "oauth provider: missing static oauth::Result<oauth::UserInfo> "
                "map_user_info(boost::json::object const&) noexcept");
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
  static_assert(detail::provider::api_hosts_ok<P>, "oauth provider: api_hosts must be a std::array of std::string_view");
  static_assert(detail::provider::api_pagination_ok<P>, "oauth provider: api_pagination must be an oauth::Pagination");
  static_assert(detail::provider::api_rate_limit_ok<P>, "oauth provider: api_rate_limit must be an oauth::RateLimit");
  static_assert(detail::provider::validation_endpoint_ok<P>,
                "oauth provider: validation_endpoint must be a std::string_view");
  static_assert(detail::provider::issuer_ok<P>, "oauth provider: issuer must be a std::string_view");
  static_assert(detail::provider::iss_parameter_ok<P>,
                "oauth provider: authorization_response_iss_parameter_supported must be a bool");

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
concept Introspectable = Provider<P> && requires { P::introspection_endpoint; };

/// Identity comes from a userinfo endpoint; otherwise map_user_info reads the token
/// response itself (Notion).
template <class P>
concept HasUserInfoEndpoint = Provider<P> && requires { P::userinfo_endpoint; };

/// A read call that tells whether a token still works: the provider's own
/// `validation_endpoint` (Notion's bot user), else its userinfo endpoint.
template <class P>
concept Validatable = Provider<P> && (HasUserInfoEndpoint<P> || requires { P::validation_endpoint; });

template <Validatable P>
constexpr std::string_view validation_endpoint() noexcept {
  if constexpr (requires { P::validation_endpoint; }) return P::validation_endpoint;
  else return P::userinfo_endpoint;
}

/// How the provider's API lists page, `none` when it does not say.
template <Provider P>
constexpr Pagination api_pagination() noexcept {
  if constexpr (requires { P::api_pagination; }) return P::api_pagination;
  else return Pagination::none;
}

/// The rate the provider's API holds one credential to, unlimited when it does not say.
template <Provider P>
constexpr RateLimit api_rate_limit() noexcept {
  if constexpr (requires { P::api_rate_limit; }) return P::api_rate_limit;
  else return {};
}

/// The provider's issuer identifier (RFC 8414, RFC 9207), empty when it names none.
template <Provider P>
constexpr std::string_view issuer() noexcept {
  if constexpr (requires { P::issuer; }) return P::issuer;
  else return {};
}

/// Whether the provider promises `iss` in every authorization response (RFC 9207's
/// `authorization_response_iss_parameter_supported`).
template <Provider P>
constexpr bool promises_iss_parameter() noexcept {
  if constexpr (requires { P::authorization_response_iss_parameter_supported; })
    return P::authorization_response_iss_parameter_supported;
  else return false;
}

/// The provider's extra authorization parameters, empty when it declares none.
template <Provider P>
constexpr std::span<Param const> authorization_params() noexcept {
  if constexpr (requires { P::authorization_params; }) return P::authorization_params;
  else return {};
}

/// Headers the provider wants on every request to its endpoints (Notion-Version).
template <Provider P>
constexpr std::span<Param const> request_headers() noexcept {
  if constexpr (requires { P::request_headers; }) return P::request_headers;
  else return {};
}

}  // namespace oauth

#endif
