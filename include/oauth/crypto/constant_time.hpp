#ifndef OAUTH_CRYPTO_CONSTANT_TIME_HPP
#define OAUTH_CRYPTO_CONSTANT_TIME_HPP

#include <openssl/crypto.h>

#include <string_view>

namespace oauth::crypto {

/// Compares without an early exit, so the time taken does not tell how many leading
/// characters matched. Only the lengths (which are not secret here) may leak.
inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace oauth::crypto

#endif
