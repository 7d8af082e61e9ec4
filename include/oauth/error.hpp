#ifndef OAUTH_ERROR_HPP
#define OAUTH_ERROR_HPP

#include <boost/assert/source_location.hpp>
#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace oauth {

/// Every failure the library reports as a value. Descriptions that travel with a code
/// name fields and providers, never a token, code, secret or key.
enum class Errc {
  invalid_argument = 1,

  // scopes and authorization requests
  unknown_scope,
  pkce_required,
  pkce_unsupported,

  // provider data
  invalid_user_info,

  // encryption (Fernet and the keyring)
  malformed_token,
  unsupported_token_version,
  invalid_signature,
  decryption_failed,
  token_expired,
  token_from_future,
  invalid_key,
  missing_key,
  crypto_failure,

  // transport
  connection_failed,
  timeout,
  tls_failure,
  response_too_large,
  malformed_response,
  redirect_refused,
  insecure_transport,

  // configuration
  provider_not_configured,
  redirect_uri_not_allowed,
  would_deadlock,

  // the authorization flow
  state_not_found,
  state_already_used,
  state_expired,
  state_mismatch,
  issuer_mismatch,  ///< RFC 9207: the authorization response names another issuer, or none when one was promised
  access_denied,

  // what a provider answered: RFC 6749 section 5.2, then API and transient failures
  invalid_request,
  invalid_client,
  invalid_grant,
  unauthorized_client,
  unsupported_grant_type,
  invalid_scope,
  interaction_required,
  consent_required,
  unauthorized,
  forbidden,
  not_found,
  conflict,
  rate_limited,
  provider_unavailable,
  provider_error,
  invalid_token_response,

  // integrations and the token store
  integration_not_found,
  needs_reauth,
  no_refresh_token,
  store_failure,
  store_conflict,
  store_unavailable,    ///< the database cannot be reached now; nothing was written
  schema_too_new,       ///< the store was migrated by a newer version of this library
  undecryptable_token,  ///< a stored token is corrupt, foreign, or under a key no longer configured
  refresh_unsupported,  ///< a refresh asked of an integration whose provider issues no refresh tokens
};

/// The category of every `Errc`: named "oauth", its messages the words above.
inline boost::system::error_category const& error_category() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), error_category()}; }

/// A failure: its code, and what went wrong in words fit for a log or an operator. An
/// error a provider answered also names the provider, its HTTP status and, when it asked
/// to be left alone for a while, how long.
struct Error {
  boost::system::error_code code;
  std::string description;
  std::string_view provider = {};
  unsigned provider_status = 0;
  std::optional<std::chrono::seconds> retry_after = {};

  Error() = default;
  Error(boost::system::error_code c, std::string d = {}) : code(c), description(std::move(d)) {}
  Error(Errc e, std::string d = {}) : code(make_error_code(e)), description(std::move(d)) {}

  std::string message() const {
    auto text = code.message();
    if (!description.empty()) text += ": " + description;
    return text;
  }

  friend bool operator==(Error const& e, Errc c) noexcept { return e.code == make_error_code(c); }
};

/// A passing failure (the network, a busy or failing provider): worth retrying, and never
/// a reason to think a grant is dead.
inline bool is_transient(Error const& e) noexcept {
  return e == Errc::timeout || e == Errc::connection_failed || e == Errc::rate_limited ||
         e == Errc::provider_unavailable || e == Errc::store_unavailable;
}

/// A state that is unknown, used, expired or another session's: a link to start again,
/// never a reason to think the provider failed.
inline bool is_state_error(Error const& e) noexcept {
  return e == Errc::state_not_found || e == Errc::state_already_used || e == Errc::state_expired ||
         e == Errc::state_mismatch;
}

/// Found by boost::system::result<T, Error>::value() when it holds an error.
[[noreturn]] inline void throw_exception_from_error(Error const& e, boost::source_location const& loc) {
  boost::throw_exception(boost::system::system_error(e.code, e.description), loc);
}

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace oauth

template <>
struct boost::system::is_error_code_enum<oauth::Errc> : std::true_type {};

#include <oauth/impl/error.ipp>

#endif
