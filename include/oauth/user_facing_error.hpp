#ifndef OAUTH_USER_FACING_ERROR_HPP
#define OAUTH_USER_FACING_ERROR_HPP

#include <oauth/error.hpp>
#include <oauth/provider.hpp>

#include <cctype>
#include <string>
#include <string_view>

namespace oauth {

/// What was being done when an error happened: connecting (the callback and its code
/// exchange) or using a connection (a token, an API call).
enum class Operation { connect, use };

/// An error as a service answers it: a stable code, an HTTP status, words for the user.
struct UserFacingError {
  std::string code;
  unsigned http_status = 500;
  std::string message;

  friend bool operator==(UserFacingError const&, UserFacingError const&) = default;
};

namespace detail::user_facing {

inline std::string upper(std::string_view name) {
  std::string out;
  for (char c : name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

inline bool is_state_error(Error const& e) {
  return e == Errc::state_not_found || e == Errc::state_already_used || e == Errc::state_expired ||
         e == Errc::state_mismatch;
}

template <class P>
UserFacingError generic(Error const& e, Operation operation) {
  auto const prefix = upper(P::name);
  std::string const who(P::name);
  if (e == Errc::integration_not_found) return {"INTEGRATION_NOT_FOUND", 404, "That connection does not exist."};
  if (is_state_error(e))
    return {"OAUTH_STATE_INVALID", 400, "This sign-in link has expired or was already used. Please start again."};
  if (e == Errc::access_denied) return {prefix + "_ACCESS_DENIED", 403, "Access to your " + who + " account was not granted."};
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

}  // namespace detail::user_facing

/// The provider's own mapping where its traits declare one (`describe_error`, as Notion
/// does), else the library's.
template <Provider P>
UserFacingError user_facing_error(Error const& error, Operation operation = Operation::use) {
  if constexpr (requires { { P::describe_error(error, operation) } -> std::same_as<UserFacingError>; })
    return P::describe_error(error, operation);
  else
    return detail::user_facing::generic<P>(error, operation);
}

}  // namespace oauth

#endif
