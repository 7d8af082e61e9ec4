#ifndef OAUTH_DETAIL_ASYNC_RATE_GATE_HPP
#define OAUTH_DETAIL_ASYNC_RATE_GATE_HPP

#include <oauth/provider_options.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace oauth::detail::async {

/// Token buckets, one per key (a credential), as the generic cell rate algorithm: each
/// caller reserves the next free slot and is told how long to wait for it, so callers
/// that arrive together are spaced out in arrival order instead of racing for tokens.
class RateGates {
public:
  using Clock = std::chrono::steady_clock;

  /// Reserves a slot for `key` under `limit` and says how long to wait before using it.
  Clock::duration reserve(std::string_view key, RateLimit limit, Clock::time_point now) {
    if (limit.per_second <= 0) return Clock::duration::zero();
    auto const [interval, tolerance] = spacing(limit);
    std::lock_guard lock(mutex_);
    sweep(now);
    auto [it, added] = next_.try_emplace(std::string(key), now);
    auto& theoretical_arrival = it->second;
    theoretical_arrival = std::max(theoretical_arrival, now);
    auto const wait = std::max(Clock::duration::zero(), theoretical_arrival - tolerance - now);
    theoretical_arrival += interval;
    return wait;
  }

  /// Takes a slot for `key` if one is free now, and reserves nothing otherwise: for what is
  /// sampled (kept at most at `limit`) rather than delayed.
  bool try_take(std::string_view key, RateLimit limit, Clock::time_point now) {
    if (limit.per_second <= 0) return true;
    auto const [interval, tolerance] = spacing(limit);
    std::lock_guard lock(mutex_);
    sweep(now);
    auto [it, added] = next_.try_emplace(std::string(key), now);
    auto const theoretical_arrival = std::max(it->second, now);
    if (theoretical_arrival - tolerance > now) return false;
    it->second = theoretical_arrival + interval;
    return true;
  }

  std::size_t tracked() const {
    std::lock_guard lock(mutex_);
    return next_.size();
  }

private:
  struct Spacing {
    Clock::duration interval;   ///< between two slots
    Clock::duration tolerance;  ///< how far ahead of its slot a caller may go: the burst
  };

  static Spacing spacing(RateLimit limit) {
    auto const interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / limit.per_second));
    return {interval, interval * (std::max(limit.burst, 1u) - 1)};
  }

  /// A key whose slots all lie in the past holds nothing a fresh bucket would not.
  void sweep(Clock::time_point now) {
    if (next_.size() < swept_size_ * 2 + 64) return;
    std::erase_if(next_, [&](auto const& entry) { return entry.second <= now; });
    swept_size_ = next_.size();
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Clock::time_point> next_;
  std::size_t swept_size_ = 0;
};

}  // namespace oauth::detail::async

#endif
