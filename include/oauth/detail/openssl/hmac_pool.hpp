#ifndef OAUTH_DETAIL_OPENSSL_HMAC_POOL_HPP
#define OAUTH_DETAIL_OPENSSL_HMAC_POOL_HPP

#include <oauth/detail/openssl/algorithms.hpp>
#include <oauth/detail/openssl/handles.hpp>

#include <openssl/evp.h>

#include <mutex>
#include <span>
#include <utility>
#include <vector>

namespace oauth::detail::openssl {

/// HMAC-SHA256 contexts keyed with one key, lent to one caller at a time. Copying the
/// keyed template costs hundreds of nanoseconds; resetting a returned context for reuse
/// costs tens, so contexts are kept for the next caller. Contexts die with the pool.
class HmacSha256Pool {
public:
  /// A context lent for one MAC computation, returned to the pool when it goes away.
  class Lease {
  public:
    Lease(HmacSha256Pool* pool, MacCtx ctx) noexcept : pool_(pool), ctx_(std::move(ctx)) {}
    Lease(Lease const&) = delete;
    Lease& operator=(Lease const&) = delete;
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (ctx_) pool_->give_back(std::move(ctx_));
    }
    EVP_MAC_CTX* get() const noexcept { return ctx_.get(); }
    explicit operator bool() const noexcept { return ctx_ != nullptr; }

  private:
    HmacSha256Pool* pool_;
    MacCtx ctx_;
  };

  explicit HmacSha256Pool(std::span<unsigned char const> key) : keyed_(keyed_hmac_sha256(key)) {}

  HmacSha256Pool(HmacSha256Pool const&) = delete;
  HmacSha256Pool& operator=(HmacSha256Pool const&) = delete;
  HmacSha256Pool(HmacSha256Pool&&) = delete;
  HmacSha256Pool& operator=(HmacSha256Pool&&) = delete;
  ~HmacSha256Pool() = default;

  bool valid() const noexcept { return keyed_ != nullptr; }

  /// A context ready for EVP_MAC_update; empty if OpenSSL failed.
  Lease acquire() {
    MacCtx ctx;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        ctx = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    // A reused context is reset to the keyed state; a missing one is copied from it.
    if (ctx && EVP_MAC_init(ctx.get(), nullptr, 0, nullptr) != 1) ctx.reset();
    if (!ctx) ctx.reset(EVP_MAC_CTX_dup(keyed_.get()));
    return Lease(this, std::move(ctx));
  }

private:
  static constexpr std::size_t max_idle = 64;

  void give_back(MacCtx ctx) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle) idle_.push_back(std::move(ctx));
  }

  MacCtx keyed_;
  std::mutex mutex_;
  std::vector<MacCtx> idle_;
};

}  // namespace oauth::detail::openssl

#endif
