#ifndef OAUTH_CRYPTO_STATE_HPP
#define OAUTH_CRYPTO_STATE_HPP

#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/error.hpp>

#include <string>
#include <string_view>

namespace oauth::crypto {

/// Entropy of a CSRF state value: 256 bits, twice the 128 that RFC 6749 section 10.10
/// asks to make guessing hopeless.
inline constexpr std::size_t state_bytes = 32;

/// A fresh, unguessable CSRF state value (43 URL-safe characters).
inline Result<std::string> make_state() { return random_token(state_bytes); }

/// Whether a state value returned on a callback is the one issued. Constant time, so an
/// attacker learns nothing from how long a wrong guess takes.
inline bool state_matches(std::string_view issued, std::string_view returned) noexcept {
  return !issued.empty() && constant_time_equal(issued, returned);
}

}  // namespace oauth::crypto

#endif
