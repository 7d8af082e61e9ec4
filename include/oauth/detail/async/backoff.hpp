#ifndef OAUTH_DETAIL_ASYNC_BACKOFF_HPP
#define OAUTH_DETAIL_ASYNC_BACKOFF_HPP

#include <algorithm>
#include <chrono>
#include <random>

namespace oauth::detail::async {

/// Exponential backoff with jitter: after attempt n (from 1), a wait drawn between half
/// and all of initial * 2^(n-1), never above `ceiling`. The jitter keeps callers that
/// failed together from retrying together.
inline std::chrono::milliseconds jittered_backoff(int attempt, std::chrono::milliseconds initial,
                                                  std::chrono::milliseconds ceiling) {
  thread_local std::minstd_rand random{std::random_device{}()};
  auto const top = std::min<long long>(ceiling.count(), initial.count() << std::clamp(attempt - 1, 0, 20));
  std::uniform_int_distribution<long long> jitter(top / 2, std::max<long long>(top, 1));
  return std::chrono::milliseconds(jitter(random));
}

}  // namespace oauth::detail::async

#endif
