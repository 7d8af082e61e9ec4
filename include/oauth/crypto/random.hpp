#ifndef OAUTH_CRYPTO_RANDOM_HPP
#define OAUTH_CRYPTO_RANDOM_HPP

#include <oauth/detail/encoding/base64.hpp>
#include <oauth/error.hpp>

#include <openssl/rand.h>

#include <climits>
#include <span>
#include <string>

namespace oauth::crypto {

/// Fills `out` from OpenSSL's CSPRNG.
inline Result<void> random_fill(std::span<unsigned char> out) {
  if (out.size() > static_cast<std::size_t>(INT_MAX) || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
    return Error(Errc::crypto_failure, "random number generator failed");
  return {};
}

/// `bytes` random bytes as unpadded URL-safe base64: fit for a URL, a header or a key.
inline Result<std::string> random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  auto const span = std::span(reinterpret_cast<unsigned char*>(raw.data()), raw.size());
  if (auto filled = random_fill(span); !filled) return filled.error();
  auto token =
      detail::encoding::base64_encode(span, detail::encoding::Alphabet::url_safe, detail::encoding::Padding::without);
  OPENSSL_cleanse(raw.data(), raw.size());
  return token;
}

}  // namespace oauth::crypto

#endif
