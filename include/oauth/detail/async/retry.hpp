#ifndef OAUTH_DETAIL_ASYNC_RETRY_HPP
#define OAUTH_DETAIL_ASYNC_RETRY_HPP

#include <oauth/detail/async/backoff.hpp>
#include <oauth/detail/async/cancellation.hpp>
#include <oauth/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>
#include <utility>

namespace oauth::detail::async {

/// What one attempt came to: the result to hand back if it is the last, whether another
/// attempt may get past it (a passing failure), and how long the provider asked to wait.
template <class T>
struct Attempt {
  Result<T> result;
  bool retryable = false;
  std::optional<std::chrono::seconds> retry_after = {};
};

/// How far retrying goes: `max_attempts` in all; waits of jittered exponential backoff
/// from `initial_backoff` up to `max_backoff`, or the provider's Retry-After; no wait
/// longer than `max_wait`, and none that would end after `deadline`.
struct RetryLimits {
  int max_attempts = 3;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
  std::chrono::milliseconds max_wait = std::chrono::milliseconds::max();
  std::optional<std::chrono::steady_clock::time_point> deadline = {};
};

/// Makes attempts (`attempt(n)`, n from 1, returns an awaitable of Attempt<T>) until one
/// succeeds or fails for good, or the limits leave no room for another; the last
/// attempt's result is the answer.
template <class T, class MakeAttempt>
boost::asio::awaitable<Result<T>> with_retries(RetryLimits limits, MakeAttempt attempt) {
  for (int n = 1;; ++n) {
    auto attempting = attempt(n);
    Attempt<T> outcome = co_await std::move(attempting);
    if (!outcome.retryable || n >= limits.max_attempts) co_return std::move(outcome.result);
    auto const delay = outcome.retry_after ? std::chrono::duration_cast<std::chrono::milliseconds>(*outcome.retry_after)
                                           : jittered_backoff(n, limits.initial_backoff, limits.max_backoff);
    if (delay > limits.max_wait) co_return std::move(outcome.result);
    if (limits.deadline && std::chrono::steady_clock::now() + delay > *limits.deadline)
      co_return std::move(outcome.result);
    if (cancelled(co_await boost::asio::this_coro::cancellation_state)) co_return aborted("waiting to try again");
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
    auto [cancelled] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (cancelled) co_return aborted("waiting to try again");
  }
}

}  // namespace oauth::detail::async

#endif
