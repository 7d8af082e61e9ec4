#ifndef OAUTH_DETAIL_ASYNC_BACKOFF_HPP
#define OAUTH_DETAIL_ASYNC_BACKOFF_HPP

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace oauth::detail::async {

/// SplitMix64 (Steele, Lea and Flood): a small generator whose outputs pass BigCrush,
/// enough to spread retries apart. Not for secrets; those come from crypto/random.hpp.
class JitterSource {
public:
  explicit JitterSource(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  /// A number in [low, high] (high >= low); the modulo's bias is negligible for spans of
  /// milliseconds.
  long long between(long long low, long long high) noexcept {
    auto const span = static_cast<std::uint64_t>(high - low) + 1;
    return low + static_cast<long long>(next() % span);
  }

private:
  std::uint64_t state_;
};

/// Each thread's source, seeded apart from every other thread and process: by the clock
/// and by where the source itself lies (which differs between threads, and between
/// processes under address space randomization).
inline JitterSource& thread_jitter_source() noexcept {
  thread_local JitterSource source(
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&source)));
  return source;
}

/// Exponential backoff with jitter: after attempt n (from 1), a wait drawn between half
/// and all of initial * 2^(n-1), never above `ceiling`. The jitter keeps callers that
/// failed together from retrying together.
inline std::chrono::milliseconds jittered_backoff(int attempt, std::chrono::milliseconds initial,
                                                  std::chrono::milliseconds ceiling) noexcept {
  auto const top = std::min<long long>(ceiling.count(), initial.count() << std::clamp(attempt - 1, 0, 20));
  return std::chrono::milliseconds(thread_jitter_source().between(top / 2, std::max<long long>(top, 1)));
}

}  // namespace oauth::detail::async

#endif
