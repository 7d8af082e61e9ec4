#ifndef OAUTH_DETAIL_OPENSSL_ALGORITHMS_HPP
#define OAUTH_DETAIL_OPENSSL_ALGORITHMS_HPP

#include <oauth/detail/openssl/handles.hpp>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <span>

namespace oauth::detail::openssl {

// OpenSSL 3 looks an algorithm up by name on every implicit use (EVP_aes_128_cbc() and
// friends); fetching once and keeping the handle for the life of the process avoids that.

inline EVP_CIPHER const* aes_128_cbc() noexcept {
  static Cipher const cipher{EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr)};
  return cipher.get();
}

inline EVP_MAC* hmac() noexcept {
  static Mac const mac{EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr)};
  return mac.get();
}

/// An HMAC-SHA256 context keyed once; callers duplicate it instead of re-deriving the pads.
inline MacCtx keyed_hmac_sha256(std::span<unsigned char const> key) noexcept {
  auto* mac = hmac();
  if (mac == nullptr) return nullptr;
  MacCtx ctx{EVP_MAC_CTX_new(mac)};
  if (!ctx) return nullptr;
  char digest[] = "SHA256";
  OSSL_PARAM const params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return nullptr;
  return ctx;
}

}  // namespace oauth::detail::openssl

#endif
