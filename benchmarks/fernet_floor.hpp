#ifndef OAUTH_BENCHMARKS_FERNET_FLOOR_HPP
#define OAUTH_BENCHMARKS_FERNET_FLOOR_HPP

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace oauth::bench {

inline void check(bool ok, char const* what) {
  if (!ok) throw std::runtime_error(what);
}

/// The minimum OpenSSL work for one Fernet token, in the cheapest form OpenSSL offers:
/// the cipher fetched once, one cipher context and one keyed HMAC context reused (an
/// EVP_MAC_init with no key only resets it), EVP_EncodeBlock into a fixed buffer.
class Floor {
public:
  Floor() {
    std::array<unsigned char, 32> raw{};
    check(EVP_DecodeBlock(raw.data(),
                          reinterpret_cast<unsigned char const*>("cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4="),
                          44) == 33,
          "key");
    std::memcpy(signing_.data(), raw.data(), 16);
    std::memcpy(encryption_.data(), raw.data() + 16, 16);
    cipher_ = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
    cipher_ctx_ = EVP_CIPHER_CTX_new();
    mac_ = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    mac_ctx_ = EVP_MAC_CTX_new(mac_);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    check(EVP_MAC_init(mac_ctx_, signing_.data(), signing_.size(), params) == 1, "hmac");
  }
  ~Floor() {
    EVP_MAC_CTX_free(mac_ctx_);
    EVP_MAC_free(mac_);
    EVP_CIPHER_CTX_free(cipher_ctx_);
    EVP_CIPHER_free(cipher_);
  }
  Floor(Floor const&) = delete;
  Floor& operator=(Floor const&) = delete;

  /// Writes the token into `out` and returns its length.
  std::size_t encrypt(unsigned char const* plaintext, int size, std::int64_t now, unsigned char* out) {
    unsigned char* raw = raw_.data();
    raw[0] = 0x80;
    for (int i = 0; i < 8; ++i)
      raw[1 + i] = static_cast<unsigned char>(static_cast<std::uint64_t>(now) >> (56 - 8 * i));
    RAND_bytes(raw + 9, 16);
    int n1 = 0, n2 = 0;
    EVP_EncryptInit_ex2(cipher_ctx_, cipher_, encryption_.data(), raw + 9, nullptr);
    EVP_EncryptUpdate(cipher_ctx_, raw + 25, &n1, plaintext, size);
    EVP_EncryptFinal_ex(cipher_ctx_, raw + 25 + n1, &n2);
    std::size_t const signed_size = 25 + static_cast<std::size_t>(n1 + n2);
    std::size_t mac_size = 0;
    EVP_MAC_init(mac_ctx_, nullptr, 0, nullptr);
    EVP_MAC_update(mac_ctx_, raw, signed_size);
    EVP_MAC_final(mac_ctx_, raw + signed_size, &mac_size, 32);
    auto const length = static_cast<std::size_t>(EVP_EncodeBlock(out, raw, static_cast<int>(signed_size + 32)));
    for (std::size_t i = 0; i < length; ++i) out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    return length;
  }

  /// Writes the plaintext into `out` and returns its length, or -1.
  int decrypt(unsigned char const* token, std::size_t length, unsigned char* out) {
    unsigned char* standard = text_.data();
    for (std::size_t i = 0; i < length; ++i) standard[i] = token[i] == '-' ? '+' : token[i] == '_' ? '/' : token[i];
    int decoded = EVP_DecodeBlock(raw_.data(), standard, static_cast<int>(length));
    while (length > 0 && token[--length] == '=') --decoded;
    unsigned char* raw = raw_.data();
    std::size_t const signed_size = static_cast<std::size_t>(decoded) - 32;
    std::array<unsigned char, 32> mac{};
    std::size_t mac_size = 0;
    EVP_MAC_init(mac_ctx_, nullptr, 0, nullptr);
    EVP_MAC_update(mac_ctx_, raw, signed_size);
    EVP_MAC_final(mac_ctx_, mac.data(), &mac_size, 32);
    if (CRYPTO_memcmp(mac.data(), raw + signed_size, 32) != 0) return -1;
    int n1 = 0, n2 = 0;
    EVP_DecryptInit_ex2(cipher_ctx_, cipher_, encryption_.data(), raw + 9, nullptr);
    EVP_DecryptUpdate(cipher_ctx_, out, &n1, raw + 25, static_cast<int>(signed_size - 25));
    if (EVP_DecryptFinal_ex(cipher_ctx_, out + n1, &n2) != 1) return -1;
    return n1 + n2;
  }

private:
  std::array<unsigned char, 16> signing_{}, encryption_{};
  std::array<unsigned char, 4096> raw_{};
  std::array<unsigned char, 8192> text_{};
  EVP_CIPHER* cipher_ = nullptr;
  EVP_CIPHER_CTX* cipher_ctx_ = nullptr;
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* mac_ctx_ = nullptr;
};

}  // namespace oauth::bench

#endif
