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

// Each member is checked twice: whether the provider declares it at all, and whether what
// it declares has the type it must. A provider's error then says which of the two it is.

template <class P>
concept declares_name = requires {
  P::name;
};
template <class P>
concept declares_authorization_endpoint = requires {
  P::authorization_endpoint;
};
template <class P>
concept declares_token_endpoint = requires {
  P::token_endpoint;
};
template <class P>
concept declares_token_auth = requires {
  P::token_auth;
};
template <class P>
concept declares_token_body = requires {
  P::token_body;
};
template <class P>
concept declares_supports_refresh = requires {
  P::supports_refresh;
};
template <class P>
concept declares_rotates_refresh_token = requires {
  P::rotates_refresh_token;
};
template <class P>
concept declares_supports_pkce = requires {
  P::supports_pkce;
};
template <class P>
concept declares_scope_separator = requires {
  P::scope_separator;
};
template <class P>
concept declares_scopes = requires {
  P::scopes;
};
template <class P>
concept declares_map_user_info = requires(boost::json::object const& json) {
  P::map_user_info(json);
};
template <class P>
concept declares_revocation_endpoint = requires {
  P::revocation_endpoint;
};
template <class P>
concept declares_describe_error = requires {
  &P::describe_error;
};

template <class P>
concept name_ok = !declares_name<P> || member_of_type<decltype(P::name), std::string_view>;
template <class P>
concept authorization_endpoint_ok =
    !declares_authorization_endpoint<P> || member_of_type<decltype(P::authorization_endpoint), std::string_view>;
template <class P>
concept token_endpoint_ok =
    !declares_token_endpoint<P> || member_of_type<decltype(P::token_endpoint), std::string_view>;
template <class P>
concept token_auth_ok = !declares_token_auth<P> || member_of_type<decltype(P::token_auth), ClientAuth>;
template <class P>
concept token_body_ok = !declares_token_body<P> || member_of_type<decltype(P::token_body), BodyFormat>;
template <class P>
concept supports_refresh_ok = !declares_supports_refresh<P> || member_of_type<decltype(P::supports_refresh), bool>;
template <class P>
concept rotates_refresh_token_ok =
    !declares_rotates_refresh_token<P> || member_of_type<decltype(P::rotates_refresh_token), bool>;
template <class P>
concept supports_pkce_ok = !declares_supports_pkce<P> || member_of_type<decltype(P::supports_pkce), bool>;
template <class P>
concept scope_separator_ok =
    !declares_scope_separator<P> || member_of_type<decltype(P::scope_separator), std::string_view>;
template <class P>
concept scopes_ok = !declares_scopes<P> || range_of<decltype(P::scopes), Scope>;
template <class P>
concept map_user_info_ok = !declares_map_user_info<P> || requires(boost::json::object const& json) {
  { P::map_user_info(json) }
  noexcept->std::same_as<Result<UserInfo>>;
};

// Optional members: absent is fine, present must be well typed.
template <class P>
concept revocation_ok = !declares_revocation_endpoint<P> || requires {
  requires member_of_type<decltype(P::revocation_endpoint), std::string_view>;
  requires member_of_type<decltype(P::revocation_style), RevocationStyle>;
};
template <class P>
concept userinfo_ok = !requires {
  P::userinfo_endpoint;
}
|| requires { requires member_of_type<decltype(P::userinfo_endpoint), std::string_view>; };
template <class P>
concept introspection_ok = !requires {
  P::introspection_endpoint;
}
|| requires { requires member_of_type<decltype(P::introspection_endpoint), std::string_view>; };
template <class P>
concept authorization_params_ok = !requires {
  P::authorization_params;
}
|| requires { requires range_of<decltype(P::authorization_params), Param>; };
template <class P>
concept request_headers_ok = !requires {
  P::request_headers;
}
|| requires { requires range_of<decltype(P::request_headers), Param>; };
template <class P>
concept incremental_authorization_ok = !requires {
  P::incremental_authorization;
}
|| requires { requires member_of_type<decltype(P::incremental_authorization), Param>; };
template <class P>
concept api_base_url_ok = !requires {
  P::api_base_url;
}
|| requires { requires member_of_type<decltype(P::api_base_url), std::string_view>; };
template <class P>
concept api_hosts_ok = !requires {
  P::api_hosts;
}
|| requires { requires range_of<decltype(P::api_hosts), std::string_view>; };
template <class P>
concept api_pagination_ok = !requires {
  P::api_pagination;
}
|| requires { requires member_of_type<decltype(P::api_pagination), Pagination>; };
template <class P>
concept api_rate_limit_ok = !requires {
  P::api_rate_limit;
}
|| requires { requires member_of_type<decltype(P::api_rate_limit), RateLimit>; };
template <class P>
concept validation_endpoint_ok = !requires {
  P::validation_endpoint;
}
|| requires { requires member_of_type<decltype(P::validation_endpoint), std::string_view>; };
template <class P>
concept issuer_ok = !requires {
  P::issuer;
}
|| requires { requires member_of_type<decltype(P::issuer), std::string_view>; };
template <class P>
concept iss_parameter_ok = !requires {
  P::authorization_response_iss_parameter_supported;
}
|| requires { requires member_of_type<decltype(P::authorization_response_iss_parameter_supported), bool>; };
template <class P>
concept describe_error_ok = !declares_describe_error<P> || requires(Error const& error, Operation operation) {
  { P::describe_error(error, operation) } -> std::same_as<UserFacingError>;
};
template <class P>
concept scope_prefix_ok = !requires {
  P::scope_prefix;
}
|| requires { requires member_of_type<decltype(P::scope_prefix), std::string_view>; };

template <class P>
concept declares_required_members =
    declares_name<P> && declares_authorization_endpoint<P> && declares_token_endpoint<P> && declares_token_auth<P> &&
    declares_token_body<P> && declares_supports_refresh<P> && declares_rotates_refresh_token<P> &&
    declares_supports_pkce<P> && declares_scope_separator<P> && declares_scopes<P> && declares_map_user_info<P>;

template <class P>
concept members_well_typed = name_ok<P> && authorization_endpoint_ok<P> && token_endpoint_ok<P> && token_auth_ok<P> &&
    token_body_ok<P> && supports_refresh_ok<P> && rotates_refresh_token_ok<P> && supports_pkce_ok<P> &&
    scope_separator_ok<P> && scopes_ok<P> && map_user_info_ok<P> && revocation_ok<P> && userinfo_ok<P> &&
    introspection_ok<P> && authorization_params_ok<P> && request_headers_ok<P> && scope_prefix_ok<P> &&
    incremental_authorization_ok<P> && api_base_url_ok<P> && api_hosts_ok<P> && api_pagination_ok<P> &&
    api_rate_limit_ok<P> && validation_endpoint_ok<P> && issuer_ok<P> && iss_parameter_ok<P> && describe_error_ok<P>;

}  // namespace oauth::detail::provider

#endif
