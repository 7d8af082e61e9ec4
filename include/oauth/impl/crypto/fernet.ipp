#ifndef OAUTH_IMPL_CRYPTO_FERNET_IPP
#define OAUTH_IMPL_CRYPTO_FERNET_IPP

#include <oauth/crypto/fernet.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/openssl/algorithms.hpp>
#include <oauth/detail/openssl/hmac_pool.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>

namespace oauth::crypto {

struct Fernet::Keys {
  std::array<unsigned char, 16> signing{};
  std::array<unsigned char, 16> encryption{};
  std::unique_ptr<detail::openssl::HmacSha256Pool> mac;
  Keys() = default;
  Keys(Keys const&) = delete;
  Keys& operator=(Keys const&) = delete;
  Keys(Keys&&) = delete;
  Keys& operator=(Keys&&) = delete;
  ~Keys() {
    OPENSSL_cleanse(signing.data(), signing.size());
    OPENSSL_cleanse(encryption.data(), encryption.size());
  }
};

OAUTH_DECL Fernet::Fernet() : keys_(std::make_shared<Keys>()) {}

OAUTH_DECL Result<EncryptionKey> Fernet::generate_key() {
  std::array<unsigned char, key_size> raw{};
  if (auto filled = random_fill(raw); !filled) return filled.error();
  EncryptionKey key{
      detail::encoding::base64_encode(raw, detail::encoding::Alphabet::url_safe, detail::encoding::Padding::with)};
  OPENSSL_cleanse(raw.data(), raw.size());
  return key;
}

OAUTH_DECL Result<Fernet> Fernet::from_key(std::string_view urlsafe_base64_key) {
  auto decoded = detail::encoding::base64_decode(urlsafe_base64_key, detail::encoding::Alphabet::url_safe);
  if (!decoded || decoded->size() != key_size) {
    if (decoded) OPENSSL_cleanse(decoded->data(), decoded->size());
    return Error(Errc::invalid_key, "a Fernet key is 32 bytes in URL-safe base64");
  }
  Fernet f;
  auto const* bytes = reinterpret_cast<unsigned char const*>(decoded->data());
  std::copy_n(bytes, 16, f.keys_->signing.begin());
  std::copy_n(bytes + 16, 16, f.keys_->encryption.begin());
  OPENSSL_cleanse(decoded->data(), decoded->size());
  f.keys_->mac = std::make_unique<detail::openssl::HmacSha256Pool>(f.keys_->signing);
  if (!f.keys_->mac->valid() || detail::openssl::aes_128_cbc() == nullptr)
    return Error(Errc::crypto_failure, "OpenSSL lacks AES-128-CBC or HMAC-SHA256");
  return f;
}

OAUTH_DECL Result<std::string> Fernet::encrypt_at_time(std::string_view plaintext, std::chrono::sys_seconds at) const {
  Iv iv{};
  if (auto filled = random_fill(iv); !filled) return filled.error();
  return encrypt_from_parts(plaintext, at, iv);
}

OAUTH_DECL Result<std::string> Fernet::encrypt_from_parts(std::string_view plaintext, std::chrono::sys_seconds at,
                                                          Iv const& iv) const {
  if (plaintext.size() > static_cast<std::size_t>(INT_MAX) - block_size)
    return Error(Errc::invalid_argument, "plaintext too large");
  auto const ciphertext_size = (plaintext.size() / block_size + 1) * block_size;
  std::string raw(header_size + ciphertext_size + mac_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());

  out[0] = version;
  auto const ts = static_cast<std::uint64_t>(at.time_since_epoch().count());
  for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<unsigned char>(ts >> (56 - 8 * i));
  std::copy(iv.begin(), iv.end(), out + 9);

  detail::openssl::CipherCtx ctx{EVP_CIPHER_CTX_new()};
  int n1 = 0, n2 = 0;
  bool const encrypted =
      ctx &&
      EVP_EncryptInit_ex2(ctx.get(), detail::openssl::aes_128_cbc(), keys_->encryption.data(), iv.data(), nullptr) ==
          1 &&
      EVP_EncryptUpdate(ctx.get(), out + header_size, &n1, reinterpret_cast<unsigned char const*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), out + header_size + n1, &n2) == 1 &&
      static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2) == ciphertext_size;
  if (!encrypted || !sign(std::span(out, header_size + ciphertext_size), out + header_size + ciphertext_size))
    return Error(Errc::crypto_failure, "encryption failed");

  auto token = detail::encoding::base64_encode(std::span<unsigned char const>(out, raw.size()),
                                               detail::encoding::Alphabet::url_safe, detail::encoding::Padding::with);
  OPENSSL_cleanse(raw.data(), raw.size());
  return token;
}

OAUTH_DECL Result<std::string> Fernet::decrypt_at_time(std::string_view token, std::optional<std::chrono::seconds> ttl,
                                                       std::chrono::sys_seconds now) const {
  auto verified = verify(token);
  if (!verified) return verified.error();
  auto const& raw = *verified;
  auto const* data = reinterpret_cast<unsigned char const*>(raw.data());

  if (ttl) {
    // The token's timestamp is unsigned and may exceed int64; the bounds are signed.
    auto const ts = read_timestamp(data);
    auto const oldest_allowed = (now - *ttl).time_since_epoch().count();
    auto const newest_allowed = (now + max_clock_skew).time_since_epoch().count();
    if (oldest_allowed > 0 && ts < static_cast<std::uint64_t>(oldest_allowed))
      return Error(Errc::token_expired, "encrypted token is older than its time to live");
    if (newest_allowed < 0 || ts > static_cast<std::uint64_t>(newest_allowed))
      return Error(Errc::token_from_future, "encrypted token was made more than 60 s in the future");
  }

  auto const ciphertext_size = raw.size() - header_size - mac_size;
  std::string plaintext(ciphertext_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  detail::openssl::CipherCtx ctx{EVP_CIPHER_CTX_new()};
  int n1 = 0, n2 = 0;
  bool const decrypted =
      ctx &&
      EVP_DecryptInit_ex2(ctx.get(), detail::openssl::aes_128_cbc(), keys_->encryption.data(), data + 9, nullptr) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), out, &n1, data + header_size, static_cast<int>(ciphertext_size)) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), out + n1, &n2) == 1;
  if (!decrypted) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return Error(Errc::decryption_failed, "encrypted token does not decrypt (bad padding)");
  }
  plaintext.resize(static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2));
  return plaintext;
}

OAUTH_DECL Result<std::chrono::sys_seconds> Fernet::extract_timestamp(std::string_view token) const {
  auto verified = verify(token);
  if (!verified) return verified.error();
  auto const ts = read_timestamp(reinterpret_cast<unsigned char const*>(verified->data()));
  if (ts > static_cast<std::uint64_t>(INT64_MAX))
    return Error(Errc::malformed_token, "encrypted token timestamp out of range");
  return std::chrono::sys_seconds{std::chrono::seconds{static_cast<std::int64_t>(ts)}};
}

OAUTH_DECL bool Fernet::sign(std::span<unsigned char const> data, unsigned char* mac_out) const noexcept {
  auto ctx = keys_->mac->acquire();
  std::size_t written = 0;
  return ctx && EVP_MAC_update(ctx.get(), data.data(), data.size()) == 1 &&
         EVP_MAC_final(ctx.get(), mac_out, &written, mac_size) == 1 && written == mac_size;
}

OAUTH_DECL Result<std::string> Fernet::verify(std::string_view token) const {
  auto raw = detail::encoding::base64_decode(token, detail::encoding::Alphabet::url_safe);
  if (!raw || raw->empty()) return Error(Errc::malformed_token, "encrypted token is not URL-safe base64");
  if (static_cast<unsigned char>((*raw)[0]) != version)
    return Error(Errc::unsupported_token_version, "encrypted token does not start with version 0x80");
  if (raw->size() < header_size + block_size + mac_size || (raw->size() - header_size - mac_size) % block_size != 0)
    return Error(Errc::malformed_token, "encrypted token has the wrong length");

  auto const* data = reinterpret_cast<unsigned char const*>(raw->data());
  auto const signed_size = raw->size() - mac_size;
  std::array<unsigned char, mac_size> expected{};
  if (!sign(std::span(data, signed_size), expected.data()))
    return Error(Errc::crypto_failure, "HMAC computation failed");
  if (CRYPTO_memcmp(expected.data(), data + signed_size, mac_size) != 0)
    return Error(Errc::invalid_signature, "encrypted token was not made with this key or was altered");
  return std::move(*raw);
}

}  // namespace oauth::crypto

#endif
