#ifndef OAUTH_STORE_RATE_SLOTS_HPP
#define OAUTH_STORE_RATE_SLOTS_HPP

// Rate limits kept in the store, so that every process sharing it shares them: a GCRA
// bucket per key (rate_spacing.hpp), kept by the database.

#include <oauth/error.hpp>
#include <oauth/rate_spacing.hpp>

#include <concepts>
#include <string_view>

namespace oauth::store {

using oauth::RateSlot;
using oauth::RateSpacing;
using oauth::SlotRequest;

/// A backend that keeps rate slots where every process sharing it sees them, timed by the
/// server's clock, so that the processes' clocks need not agree.
template <class B>
concept SharesRateSlots = requires(B& backend, std::string_view key, RateSpacing spacing, SlotRequest request) {
  { backend.reserve_rate_slot(key, spacing, request) } -> std::same_as<Result<RateSlot>>;
};

}  // namespace oauth::store

#endif
