#ifndef OAUTH_DETAIL_OPENSSL_HANDLES_HPP
#define OAUTH_DETAIL_OPENSSL_HANDLES_HPP

#include <openssl/evp.h>

#include <memory>

namespace oauth::detail::openssl {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<&EVP_CIPHER_CTX_free>>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, Deleter<&EVP_MAC_CTX_free>>;
using Mac = std::unique_ptr<EVP_MAC, Deleter<&EVP_MAC_free>>;
using Cipher = std::unique_ptr<EVP_CIPHER, Deleter<&EVP_CIPHER_free>>;

}  // namespace oauth::detail::openssl

#endif
