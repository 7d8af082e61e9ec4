#ifndef OAUTH_DETAIL_PROVIDER_REQUIREMENTS_HPP
#define OAUTH_DETAIL_PROVIDER_REQUIREMENTS_HPP

#include <oauth/error.hpp>
#include <oauth/provider_options.hpp>
#include <oauth/scope.hpp>
#include <oauth/user_info.hpp>

#include <boost/json/object.hpp>

#include <concepts>
#include <ranges>
#include <string_view>
#include <type_traits>

namespace oauth::detail::provider {

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

}  // namespace oauth::detail::provider

#endif
