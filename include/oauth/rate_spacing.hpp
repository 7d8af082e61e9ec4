#ifndef OAUTH_RATE_SPACING_HPP
#define OAUTH_RATE_SPACING_HPP

// Rates as buckets of the generic cell rate algorithm (GCRA): a bucket holds a single
// time, the theoretical arrival of the next caller; each caller takes the slot at that
// time and moves it on by the interval, and may run ahead of its slot by the tolerance.
// A process keeps buckets of its own (detail/async/rate_gate.hpp); a store that every
// instance shares may keep them for all (store/rate_slots.hpp).

#include <oauth/provider_options.hpp>

#include <algorithm>
#include <chrono>

namespace oauth {

/// A rate as the algorithm spaces it: one slot every `interval`, and a caller may be at
/// most `tolerance` ahead of its slot, which lets a burst of tolerance / interval + 1 in.
struct RateSpacing {
  std::chrono::microseconds interval{0};
  std::chrono::microseconds tolerance{0};

  /// `per_second` on average, `burst` at once; a rate of 0 or less limits nothing.
  static RateSpacing of(double per_second, unsigned burst) {
    if (!(per_second > 0)) return {};
    auto const interval = std::max(
        std::chrono::microseconds(1),
        std::chrono::round<std::chrono::microseconds>(std::chrono::duration<double>(1.0 / std::max(per_second, 1e-6))));
    return {interval, interval * (std::max(burst, 1u) - 1)};
  }
  static RateSpacing of(RateLimit limit) { return of(limit.per_second, limit.burst); }

  bool limits() const noexcept { return interval.count() > 0; }
};

/// What a caller asks of a bucket.
enum class SlotRequest {
  reserve,       ///< the next slot, however far ahead: for what is delayed (API pacing)
  take_if_free,  ///< a slot due now, or nothing at all: for what is refused (429)
};

/// A bucket's answer. Reserved, `wait` is how long until the caller's slot; refused (only
/// take_if_free is), how long until a slot would be free.
struct RateSlot {
  bool granted = true;
  std::chrono::microseconds wait{0};
};

}  // namespace oauth

#endif
