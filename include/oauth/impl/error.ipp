#ifndef OAUTH_IMPL_ERROR_IPP
#define OAUTH_IMPL_ERROR_IPP

#include <oauth/error.hpp>

#include <boost/system/error_category.hpp>

#include <cstddef>
#include <string>

namespace oauth {

namespace detail {

// Held as a function's static, as Boost's own categories are: its destructor is public.
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor)
class ErrorCategory final : public boost::system::error_category {
public:
  // A fixed id keeps codes comparable across shared objects that each hold a copy.
  constexpr ErrorCategory() noexcept : boost::system::error_category(0x6f61757468ULL) {}

  char const* name() const noexcept override { return "oauth"; }

  std::string message(int ev) const override { return describe(static_cast<Errc>(ev)); }

  char const* message(int ev, char*, std::size_t) const noexcept override { return describe(static_cast<Errc>(ev)); }

private:
  static char const* describe(Errc e) noexcept {
    switch (e) {
      case Errc::invalid_argument: return "invalid argument";
      case Errc::unknown_scope: return "unknown scope";
      case Errc::pkce_required: return "PKCE code challenge required";
      case Errc::pkce_unsupported: return "provider does not support PKCE";
      case Errc::invalid_user_info: return "invalid user info";
      case Errc::malformed_token: return "malformed encrypted token";
      case Errc::unsupported_token_version: return "unsupported encrypted token version";
      case Errc::invalid_signature: return "encrypted token signature does not verify";
      case Errc::decryption_failed: return "encrypted token does not decrypt";
      case Errc::token_expired: return "encrypted token has expired";
      case Errc::token_from_future: return "encrypted token timestamp is in the future";
      case Errc::invalid_key: return "invalid encryption key";
      case Errc::missing_key: return "no encryption key configured";
      case Errc::crypto_failure: return "cryptographic library failure";
      case Errc::connection_failed: return "could not connect to the provider";
      case Errc::timeout: return "the provider did not answer in time";
      case Errc::tls_failure: return "TLS handshake or certificate verification failed";
      case Errc::response_too_large: return "the provider's response is too large";
      case Errc::malformed_response: return "the provider's response is malformed";
      case Errc::redirect_refused: return "the provider answered with a redirect, which is never followed";
      case Errc::insecure_transport: return "plain HTTP is allowed only to loopback addresses";
      case Errc::provider_not_configured: return "provider is not configured";
      case Errc::redirect_uri_not_allowed: return "redirect URI is not in the allowed list";
      case Errc::would_deadlock: return "blocking call made on the thread that runs the manager's executor";
      case Errc::state_not_found: return "authorization state is unknown";
      case Errc::state_already_used: return "authorization state was already used";
      case Errc::state_expired: return "authorization state has expired";
      case Errc::state_mismatch: return "authorization state belongs to another session or provider";
      case Errc::issuer_mismatch: return "the authorization response comes from another issuer";
      case Errc::access_denied: return "the user or the provider denied access";
      case Errc::invalid_request: return "the provider rejected the request as invalid";
      case Errc::invalid_client: return "the provider rejected the client credentials";
      case Errc::invalid_grant: return "the grant is invalid, expired or revoked";
      case Errc::unauthorized_client: return "the client is not allowed to use this grant";
      case Errc::unsupported_grant_type: return "the provider does not support this grant type";
      case Errc::invalid_scope: return "the provider rejected the requested scope";
      case Errc::interaction_required: return "the user must sign in again";
      case Errc::consent_required: return "the user must grant consent again";
      case Errc::unauthorized: return "the access token was rejected";
      case Errc::forbidden: return "the provider refused access to the resource";
      case Errc::not_found: return "the provider has no such resource";
      case Errc::conflict: return "the provider reported a conflict";
      case Errc::rate_limited: return "the provider is rate limiting requests";
      case Errc::provider_unavailable: return "the provider is temporarily unavailable";
      case Errc::provider_error: return "the provider reported an error";
      case Errc::invalid_token_response: return "the provider's token response is invalid";
      case Errc::integration_not_found: return "no such integration";
      case Errc::needs_reauth: return "the integration must be authorized again";
      case Errc::no_refresh_token: return "the integration has no refresh token";
      case Errc::store_failure: return "the token store failed";
      case Errc::store_conflict: return "the stored record changed concurrently";
      case Errc::store_unavailable: return "the token store is unavailable";
      case Errc::schema_too_new: return "the token store's schema is newer than this library";
      case Errc::undecryptable_token: return "a stored token cannot be decrypted";
      case Errc::refresh_unsupported: return "the provider's tokens cannot be refreshed";
    }
    return "unknown oauth error";
  }
};

}  // namespace detail

inline boost::system::error_category const& error_category() noexcept {
  static constexpr detail::ErrorCategory category;
  return category;
}

}  // namespace oauth

#endif
