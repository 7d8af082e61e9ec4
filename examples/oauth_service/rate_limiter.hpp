#ifndef OAUTH_SERVICE_RATE_LIMITER_HPP
#define OAUTH_SERVICE_RATE_LIMITER_HPP

// Token buckets keyed by caller (a user, a client address): `per_minute` requests a
// minute on average, bursts up to `burst`. Buckets nobody used for a while are dropped,
// so a flood of distinct keys cannot grow memory without bound.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace oauth::service {

class RateLimiter {
public:
  using Clock = std::chrono::steady_clock;

  /// Whether a request may pass, and when not, how long until one would.
  struct Verdict {
    bool allowed = true;
    std::chrono::seconds retry_after{0};
  };

  RateLimiter(double per_minute, double burst) : rate_per_second_(per_minute / 60.0), burst_(std::max(burst, 1.0)) {}

  bool enabled() const noexcept { return rate_per_second_ > 0; }

  Verdict take(std::string_view key, Clock::time_point now = Clock::now()) {
    if (!enabled()) return {};
    std::lock_guard lock(mutex_);
    if (buckets_.size() > max_buckets && now - last_sweep_ > std::chrono::seconds(1)) sweep(now);
    auto [it, inserted] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
    auto& bucket = it->second;
    double const elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_per_second_);
    bucket.updated = now;
    if (bucket.tokens >= 1.0) {
      bucket.tokens -= 1.0;
      return {};
    }
    auto const wait = std::ceil((1.0 - bucket.tokens) / rate_per_second_);
    return {false, std::chrono::seconds(static_cast<long>(std::max(wait, 1.0)))};
  }

private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  static constexpr std::size_t max_buckets = 100'000;

  /// Drops the buckets that have refilled completely: forgetting them changes nothing.
  void sweep(Clock::time_point now) {
    last_sweep_ = now;
    std::erase_if(buckets_, [&](auto const& entry) {
      auto const idle = std::chrono::duration<double>(now - entry.second.updated).count();
      return entry.second.tokens + idle * rate_per_second_ >= burst_;
    });
  }

  double rate_per_second_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace oauth::service

#endif
