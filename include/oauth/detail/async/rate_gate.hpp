#ifndef OAUTH_DETAIL_ASYNC_RATE_GATE_HPP
#define OAUTH_DETAIL_ASYNC_RATE_GATE_HPP

#include <oauth/provider_options.hpp>
#include <oauth/rate_spacing.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace oauth::detail::async {

/// Rate slots kept in this process, one bucket per key, as the generic cell rate
/// algorithm keeps them (rate_spacing.hpp): callers that arrive together are spaced
/// out in arrival order instead of racing for tokens.
class RateGates {
public:
  using Clock = std::chrono::steady_clock;
  using RateSlot = oauth::RateSlot;
  using RateSpacing = oauth::RateSpacing;
  using SlotRequest = oauth::SlotRequest;

  /// A slot of `key`'s bucket at `now`, as `request` asks for it.
  RateSlot slot(std::string_view key, RateSpacing spacing, SlotRequest request, Clock::time_point now) {
    if (!spacing.limits()) return {};
    std::lock_guard lock(mutex_);
    sweep(now);
    auto [it, added] = next_.try_emplace(std::string(key), now);
    auto const theoretical_arrival = std::max(it->second, now);
    auto const wait = std::max(Clock::duration::zero(), theoretical_arrival - spacing.tolerance - now);
    auto const waited = std::chrono::ceil<std::chrono::microseconds>(wait);
    if (wait > Clock::duration::zero() && request == SlotRequest::take_if_free) return {false, waited};
    it->second = theoretical_arrival + spacing.interval;
    return {true, waited};
  }

  /// Takes a slot for `key` if one is free now, and reserves nothing otherwise: for what is
  /// sampled (kept at most at `limit`) rather than delayed.
  bool try_take(std::string_view key, RateLimit limit, Clock::time_point now) {
    return slot(key, RateSpacing::of(limit), SlotRequest::take_if_free, now).granted;
  }

  std::size_t tracked() const {
    std::lock_guard lock(mutex_);
    return next_.size();
  }

private:
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
