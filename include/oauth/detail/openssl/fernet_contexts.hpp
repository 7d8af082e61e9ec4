#ifndef OAUTH_DETAIL_OPENSSL_FERNET_CONTEXTS_HPP
#define OAUTH_DETAIL_OPENSSL_FERNET_CONTEXTS_HPP

#include <oauth/detail/openssl/algorithms.hpp>
#include <oauth/detail/openssl/handles.hpp>

#include <openssl/evp.h>

#include <mutex>
#include <span>
#include <utility>
#include <vector>

namespace oauth::detail::openssl {

/// The OpenSSL contexts of one Fernet key, lent to one caller at a time. Keying a context
/// (the HMAC pads, the two AES key schedules) and freeing one (which wipes it) cost more
/// than the cryptography of a short token, so a returned set is kept, still keyed, for the
/// next caller; setting an IV or resetting a MAC is all a reuse costs. Contexts die, wiped
/// by OpenSSL, with the pool.
class FernetContexts {
public:
  static constexpr std::size_t mac_size = 32;

  /// Keyed contexts: the MAC ready for EVP_MAC_update, the ciphers waiting for an IV
  /// (EVP_EncryptInit_ex2 / EVP_DecryptInit_ex2 with no cipher and no key).
  struct Set {
    MacCtx mac;
    CipherCtx encrypt;
    CipherCtx decrypt;
  };

  /// A set lent for one operation, returned to the pool when it goes away.
  class Lease {
  public:
    Lease(FernetContexts* pool, Set set) noexcept : pool_(pool), set_(std::move(set)) {}
    Lease(Lease const&) = delete;
    Lease& operator=(Lease const&) = delete;
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (*this) pool_->give_back(std::move(set_));
    }
    EVP_MAC_CTX* hmac() const noexcept { return set_.mac.get(); }
    EVP_CIPHER_CTX* encrypt() const noexcept { return set_.encrypt.get(); }
    EVP_CIPHER_CTX* decrypt() const noexcept { return set_.decrypt.get(); }

    /// Writes the 32-byte HMAC-SHA256 of `data` to `mac_out`; false if OpenSSL failed.
    bool sign(std::span<unsigned char const> data, unsigned char* mac_out) const noexcept {
      std::size_t written = 0;
      return EVP_MAC_update(hmac(), data.data(), data.size()) == 1 &&
             EVP_MAC_final(hmac(), mac_out, &written, mac_size) == 1 && written == mac_size;
    }
    explicit operator bool() const noexcept { return set_.mac && set_.encrypt && set_.decrypt; }

  private:
    FernetContexts* pool_;
    Set set_;
  };

  FernetContexts(std::span<unsigned char const, 16> signing, std::span<unsigned char const, 16> encryption)
      : keyed_{keyed_hmac_sha256(signing), keyed_aes_128_cbc(encryption, 1), keyed_aes_128_cbc(encryption, 0)} {}

  FernetContexts(FernetContexts const&) = delete;
  FernetContexts& operator=(FernetContexts const&) = delete;
  FernetContexts(FernetContexts&&) = delete;
  FernetContexts& operator=(FernetContexts&&) = delete;
  ~FernetContexts() = default;

  bool valid() const noexcept { return keyed_.mac && keyed_.encrypt && keyed_.decrypt; }

  /// A keyed set; an empty lease if OpenSSL failed.
  Lease acquire() {
    Set set;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        set = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    // A reused MAC is reset to its keyed state; a missing set is copied from the keyed one.
    if (set.mac && EVP_MAC_init(set.mac.get(), nullptr, 0, nullptr) != 1) set = {};
    if (!set.mac) set = copy_of_keyed();
    return Lease(this, std::move(set));
  }

private:
  static constexpr std::size_t max_idle = 64;

  static CipherCtx keyed_aes_128_cbc(std::span<unsigned char const, 16> key, int encrypt) noexcept {
    CipherCtx ctx{EVP_CIPHER_CTX_new()};
    if (!ctx || aes_128_cbc() == nullptr ||
        EVP_CipherInit_ex2(ctx.get(), aes_128_cbc(), key.data(), nullptr, encrypt, nullptr) != 1)
      return nullptr;
    return ctx;
  }

  static CipherCtx copy_of(EVP_CIPHER_CTX const* keyed) noexcept {
    CipherCtx ctx{EVP_CIPHER_CTX_new()};
    if (!ctx || EVP_CIPHER_CTX_copy(ctx.get(), keyed) != 1) return nullptr;
    return ctx;
  }

  Set copy_of_keyed() const noexcept {
    if (!valid()) return {};
    return {MacCtx(EVP_MAC_CTX_dup(keyed_.mac.get())), copy_of(keyed_.encrypt.get()), copy_of(keyed_.decrypt.get())};
  }

  void give_back(Set set) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle) idle_.push_back(std::move(set));
  }

  Set const keyed_;
  std::mutex mutex_;
  std::vector<Set> idle_;
};

}  // namespace oauth::detail::openssl

#endif
