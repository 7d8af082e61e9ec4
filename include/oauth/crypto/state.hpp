#ifndef OAUTH_CRYPTO_STATE_HPP
#define OAUTH_CRYPTO_STATE_HPP

#include <oauth/clock.hpp>
#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace oauth::crypto {

/// Entropy of a CSRF state value: 256 bits, twice the 128 that RFC 6749 section 10.10
/// asks to make guessing hopeless.
inline constexpr std::size_t state_bytes = 32;

/// A fresh, unguessable CSRF state value (43 URL-safe characters).
inline Result<std::string> make_state() { return random_token(state_bytes); }

/// Hex digits of the time that leads an ordered state: microseconds since 1970 fit in
/// 14 until the year 4253.
inline constexpr std::size_t state_time_digits = 14;

/// A state value made at `at`, as unguessable as make_state()'s (the same random part,
/// 57 characters in all), led by that time in fixed-width hex: states made one after the
/// other sort one after the other. A database's index of them then grows at its end,
/// where one page takes many, instead of at a random page each (a page written for
/// every state). The time it tells is when the user was sent to the provider.
inline Result<std::string> make_ordered_state(TimePoint at) {
  auto random = random_token(state_bytes);
  if (!random) return random.error();
  auto const micros = std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  auto value = static_cast<std::uint64_t>(micros < 0 ? 0 : micros);
  std::string state(state_time_digits, '0');
  for (auto digit = state.rbegin(); digit != state.rend(); ++digit, value >>= 4U)
    *digit = "0123456789abcdef"[value & 0xFU];
  return state + *random;
}

/// Whether a state value returned on a callback is the one issued. Constant time, so an
/// attacker learns nothing from how long a wrong guess takes.
inline bool state_matches(std::string_view issued, std::string_view returned) noexcept {
  return !issued.empty() && constant_time_equal(issued, returned);
}

}  // namespace oauth::crypto

#endif
