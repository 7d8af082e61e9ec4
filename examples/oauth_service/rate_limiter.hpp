#ifndef OAUTH_SERVICE_RATE_LIMITER_HPP
#define OAUTH_SERVICE_RATE_LIMITER_HPP

// Requests per caller (a user, a client address): `per_minute` on average, bursts up to
// `burst`, as buckets of the generic cell rate algorithm (oauth/rate_spacing.hpp).
// Each process keeps buckets of its own; when the store keeps rate slots for every
// process, a bucket there decides as well (service.cpp), so that the limit holds across
// instances. Idle buckets are dropped, so a flood of distinct callers cannot grow memory
// without bound.

#include <oauth/detail/async/rate_gate.hpp>
#include <oauth/rate_spacing.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <string_view>

namespace oauth::service {

class RateLimiter {
public:
  using Clock = std::chrono::steady_clock;

  /// `kind` names the callers ("user", "address"): their buckets in a shared store.
  RateLimiter(std::string_view kind, double per_minute, double burst)
      : kind_(kind),
        spacing_(RateSpacing::of(per_minute / 60.0,
                                 static_cast<unsigned>(std::clamp(std::floor(burst), 1.0, 1'000'000.0)))) {}

  bool enabled() const noexcept { return spacing_.limits(); }
  std::string_view kind() const noexcept { return kind_; }
  RateSpacing spacing() const noexcept { return spacing_; }
  /// The caller's bucket in a store shared by every instance.
  std::string bucket(std::string_view caller) const { return "limit:" + kind_ + ':' + std::string(caller); }

  /// This process's verdict. Asked first: a caller it refuses has made more requests here
  /// alone than the limit allows, so a shared bucket, which counts them too, would refuse.
  RateSlot take_here(std::string_view caller, Clock::time_point now = Clock::now()) {
    return gates_.slot(caller, spacing_, SlotRequest::take_if_free, now);
  }

  /// What a refused caller is told to wait, in whole seconds: at least one.
  static std::chrono::seconds retry_after(RateSlot const& refused) {
    return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(refused.wait));
  }

private:
  std::string kind_;
  RateSpacing spacing_;
  oauth::detail::async::RateGates gates_;
};

}  // namespace oauth::service

#endif
