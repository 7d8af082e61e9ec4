#ifndef OAUTH_CRYPTO_FERNET_HPP
#define OAUTH_CRYPTO_FERNET_HPP

#include <oauth/detail/config.hpp>
#include <oauth/error.hpp>
#include <oauth/secret.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace oauth::crypto {

/// Fernet symmetric authenticated encryption, exactly as its specification and
/// pyca/cryptography define it: 0x80 | big-endian seconds | IV | AES-128-CBC ciphertext |
/// HMAC-SHA256 over all before it, in URL-safe base64. Immutable once made, so one
/// instance may serve many threads at once.
class Fernet {
public:
  static constexpr std::size_t key_size = 32;
  static constexpr std::size_t iv_size = 16;
  static constexpr std::chrono::seconds max_clock_skew{60};

  using Iv = std::array<unsigned char, iv_size>;

  /// A key: 32 random bytes as URL-safe base64 with padding (44 characters).
  OAUTH_DECL static Result<EncryptionKey> generate_key();

  static Result<Fernet> from_key(EncryptionKey const& key) { return from_key(key.reveal()); }

  OAUTH_DECL static Result<Fernet> from_key(std::string_view urlsafe_base64_key);

  Result<std::string> encrypt(std::string_view plaintext) const { return encrypt_at_time(plaintext, now()); }

  OAUTH_DECL Result<std::string> encrypt_at_time(std::string_view plaintext, std::chrono::sys_seconds at) const;

  /// Deterministic encryption for the specification's vectors. The IV must never repeat
  /// under one key; everything else should call encrypt().
  OAUTH_DECL Result<std::string> encrypt_from_parts(std::string_view plaintext, std::chrono::sys_seconds at,
                                                    Iv const& iv) const;

  /// The plaintext, once the token's signature verifies and, when a TTL is given, its
  /// age is within it (and it is not more than 60 s in the future).
  Result<std::string> decrypt(std::string_view token, std::optional<std::chrono::seconds> ttl = std::nullopt) const {
    return decrypt_at_time(token, ttl, now());
  }

  OAUTH_DECL Result<std::string> decrypt_at_time(std::string_view token, std::optional<std::chrono::seconds> ttl,
                                                 std::chrono::sys_seconds now) const;

  /// When the token was made, once its signature verifies.
  OAUTH_DECL Result<std::chrono::sys_seconds> extract_timestamp(std::string_view token) const;

private:
  static constexpr unsigned char version = 0x80;
  static constexpr std::size_t block_size = 16;
  static constexpr std::size_t header_size = 1 + 8 + iv_size;
  static constexpr std::size_t mac_size = 32;

  /// The OpenSSL contexts keyed with the two halves of the key, wiped when the last copy
  /// of this Fernet goes.
  struct Keys;

  /// A decoded token and the contexts that check and open it.
  class Verified;

  OAUTH_DECL Fernet();

  static std::chrono::sys_seconds now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }

  static std::uint64_t read_timestamp(unsigned char const* data) noexcept {
    std::uint64_t ts = 0;
    for (int i = 0; i < 8; ++i) ts = (ts << 8) | data[1 + i];
    return ts;
  }

  /// Decodes the token into `raw` and checks its framing and MAC; nothing is decrypted or
  /// trusted before this.
  OAUTH_DECL Result<void> verify(std::string_view token, Verified& raw) const;

  std::shared_ptr<Keys> keys_;
};

}  // namespace oauth::crypto

#if defined(OAUTH_HEADER_ONLY)
#include <oauth/impl/crypto/fernet.ipp>
#endif

#endif
