#ifndef OAUTH_USER_FACING_ERROR_HPP
#define OAUTH_USER_FACING_ERROR_HPP

#include <oauth/detail/encoding/ascii.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>

#include <string>
#include <string_view>

namespace oauth {

/// The library's mapping, for providers that do not declare their own: stable codes
/// prefixed with the provider's name in capitals (`GOOGLE_TOKEN_INVALID`).
template <Provider P>
UserFacingError default_user_facing_error(Error const& e, Operation operation) {
  auto const prefix = detail::encoding::ascii_upper(P::name);
  std::string const who(P::name);
  if (e == Errc::integration_not_found) return {"INTEGRATION_NOT_FOUND", 404, "That connection does not exist."};
  if (is_state_error(e))
    return {"OAUTH_STATE_INVALID", 400, "This sign-in link has expired or was already used. Please start again."};
  if (e == Errc::access_denied)
    return {prefix + "_ACCESS_DENIED", 403, "Access to your " + who + " account was not granted."};
  if (e == Errc::rate_limited) return {prefix + "_RATE_LIMITED", 429, who + " is busy. Please try again in a moment."};
  if (is_transient(e)) return {prefix + "_UNAVAILABLE", 503, who + " cannot be reached right now. Please try again."};
  if (operation == Operation::connect)
    return {prefix + "_OAUTH_FAILED", 400, "Connecting your " + who + " account failed. Please try again."};
  if (e == Errc::needs_reauth || e == Errc::invalid_grant || e == Errc::unauthorized || e == Errc::no_refresh_token)
    return {prefix + "_TOKEN_INVALID", 401, "Please reconnect your " + who + " account."};
  if (e == Errc::forbidden) return {prefix + "_ACCESS_DENIED", 403, who + " refused access to this resource."};
  if (e == Errc::not_found) return {prefix + "_NOT_FOUND", 404, who + " has no such resource."};
  return {prefix + "_API_ERROR", 502, who + " reported an error."};
}

/// The provider's own mapping where its traits declare one (`describe_error`, as Notion
/// does), else the library's.
template <Provider P>
UserFacingError user_facing_error(Error const& error, Operation operation = Operation::use) {
  if constexpr (detail::provider::declares_describe_error<P>)
    return P::describe_error(error, operation);
  else
    return default_user_facing_error<P>(error, operation);
}

}  // namespace oauth

#endif
