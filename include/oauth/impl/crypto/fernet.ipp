#ifndef OAUTH_IMPL_CRYPTO_FERNET_IPP
#define OAUTH_IMPL_CRYPTO_FERNET_IPP

#include <oauth/crypto/fernet.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/openssl/algorithms.hpp>
#include <oauth/detail/openssl/fernet_contexts.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>

namespace oauth::crypto {

struct Fernet::Keys {
  std::unique_ptr<detail::openssl::FernetContexts> contexts;
};

/// A decoded token, on the stack up to a size most tokens fit in (about 1.5 KiB of
/// plaintext), and the contexts lent to check and open it. A ciphertext is no secret:
/// nothing here needs wiping.
class Fernet::Verified {
public:
  // The stack buffer is written by reserve()'s caller before it is read; zeroing 2 KiB
  // would cost a short token's whole decryption.
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init)
  explicit Verified(detail::openssl::FernetContexts& pool) : contexts_(pool.acquire()) {}

  unsigned char* reserve(std::size_t size) {
    size_ = size;
    if (size <= on_stack_.size()) return on_stack_.data();
    on_heap_ = std::make_unique_for_overwrite<unsigned char[]>(size);
    return on_heap_.get();
  }
  unsigned char const* data() const noexcept { return on_heap_ ? on_heap_.get() : on_stack_.data(); }
  std::size_t size() const noexcept { return size_; }
  detail::openssl::FernetContexts::Lease const& contexts() const noexcept { return contexts_; }

private:
  detail::openssl::FernetContexts::Lease contexts_;
  std::array<unsigned char, 2048> on_stack_;  ///< left uninitialised: see the constructor
  std::unique_ptr<unsigned char[]> on_heap_;
  std::size_t size_ = 0;
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
  f.keys_->contexts = std::make_unique<detail::openssl::FernetContexts>(
      std::span<unsigned char const, 16>(bytes, 16), std::span<unsigned char const, 16>(bytes + 16, 16));
  OPENSSL_cleanse(decoded->data(), decoded->size());
  if (!f.keys_->contexts->valid()) return Error(Errc::crypto_failure, "OpenSSL lacks AES-128-CBC or HMAC-SHA256");
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

  auto contexts = keys_->contexts->acquire();
  int n1 = 0, n2 = 0;
  bool const encrypted = contexts &&
                         EVP_EncryptInit_ex2(contexts.encrypt(), nullptr, nullptr, iv.data(), nullptr) == 1 &&
                         EVP_EncryptUpdate(contexts.encrypt(), out + header_size, &n1,
                                           reinterpret_cast<unsigned char const*>(plaintext.data()),
                                           static_cast<int>(plaintext.size())) == 1 &&
                         EVP_EncryptFinal_ex(contexts.encrypt(), out + header_size + n1, &n2) == 1 &&
                         static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2) == ciphertext_size;
  if (!encrypted || !contexts.sign(std::span(out, header_size + ciphertext_size), out + header_size + ciphertext_size))
    return Error(Errc::crypto_failure, "encryption failed");

  auto token = detail::encoding::base64_encode(std::span<unsigned char const>(out, raw.size()),
                                               detail::encoding::Alphabet::url_safe, detail::encoding::Padding::with);
  return token;
}

OAUTH_DECL Result<std::string> Fernet::decrypt_at_time(std::string_view token, std::optional<std::chrono::seconds> ttl,
                                                       std::chrono::sys_seconds now) const {
  Verified raw(*keys_->contexts);
  if (auto verified = verify(token, raw); !verified) return verified.error();
  auto const* data = raw.data();

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
  auto* ctx = raw.contexts().decrypt();
  int n1 = 0, n2 = 0;
  bool const decrypted = EVP_DecryptInit_ex2(ctx, nullptr, nullptr, data + 9, nullptr) == 1 &&
                         EVP_DecryptUpdate(ctx, out, &n1, data + header_size, static_cast<int>(ciphertext_size)) == 1 &&
                         EVP_DecryptFinal_ex(ctx, out + n1, &n2) == 1;
  if (!decrypted) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return Error(Errc::decryption_failed, "encrypted token does not decrypt (bad padding)");
  }
  plaintext.resize(static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2));
  return plaintext;
}

OAUTH_DECL Result<std::chrono::sys_seconds> Fernet::extract_timestamp(std::string_view token) const {
  Verified raw(*keys_->contexts);
  if (auto verified = verify(token, raw); !verified) return verified.error();
  auto const ts = read_timestamp(raw.data());
  if (ts > static_cast<std::uint64_t>(INT64_MAX))
    return Error(Errc::malformed_token, "encrypted token timestamp out of range");
  return std::chrono::sys_seconds{std::chrono::seconds{static_cast<std::int64_t>(ts)}};
}

OAUTH_DECL Result<void> Fernet::verify(std::string_view token, Verified& raw) const {
  auto const size = detail::encoding::base64_decoded_size(token);
  if (!size || *size == 0 ||
      !detail::encoding::base64_decode_into(token, detail::encoding::Alphabet::url_safe, raw.reserve(*size)))
    return Error(Errc::malformed_token, "encrypted token is not URL-safe base64");
  auto const* data = raw.data();
  if (data[0] != version)
    return Error(Errc::unsupported_token_version, "encrypted token does not start with version 0x80");
  if (*size < header_size + block_size + mac_size || (*size - header_size - mac_size) % block_size != 0)
    return Error(Errc::malformed_token, "encrypted token has the wrong length");
  if (!raw.contexts()) return Error(Errc::crypto_failure, "HMAC computation failed");

  auto const signed_size = *size - mac_size;
  std::array<unsigned char, mac_size> expected{};
  if (!raw.contexts().sign(std::span(data, signed_size), expected.data()))
    return Error(Errc::crypto_failure, "HMAC computation failed");
  if (CRYPTO_memcmp(expected.data(), data + signed_size, mac_size) != 0)
    return Error(Errc::invalid_signature, "encrypted token was not made with this key or was altered");
  return {};
}

}  // namespace oauth::crypto

#endif
