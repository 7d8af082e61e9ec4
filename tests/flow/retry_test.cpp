// The one retry loop of the token endpoint and the API (detail/async/retry.hpp), on its
// own: how many attempts it makes and which answer it hands back.
#include "support/flow_harness.hpp"

#include <oauth/detail/async/retry.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace oauth::testing {
namespace {

using detail::async::Attempt;
using detail::async::RetryLimits;
using namespace std::chrono_literals;

/// Each attempt answers the next of `script`; the last one repeats.
struct Scripted {
  std::vector<Attempt<int>> script;
  int made = 0;

  boost::asio::awaitable<Attempt<int>> next() {
    auto const at = std::min<std::size_t>(static_cast<std::size_t>(made), script.size() - 1);
    ++made;
    co_return script[at];
  }
};

Attempt<int> passing(std::optional<std::chrono::seconds> retry_after = {}) {
  return {Error(Errc::provider_unavailable, "busy"), true, retry_after};
}
Attempt<int> final_failure() { return {Error(Errc::invalid_grant, "dead"), false}; }
Attempt<int> success(int value) { return {value}; }

Result<int> run(Scripted& scripted, RetryLimits limits) {
  Runtime runtime{1};
  auto attempt = [&](int) { return scripted.next(); };
  return boost::asio::co_spawn(runtime.executor(), detail::async::with_retries<int>(limits, attempt),
                               boost::asio::use_future)
      .get();
}

RetryLimits quick(int attempts) { return {.max_attempts = attempts, .initial_backoff = 1ms, .max_backoff = 2ms}; }

TEST(Retry, PassingFailuresAreRetriedUntilOneSucceeds) {
  Scripted scripted{{passing(), passing(), success(7)}};
  auto result = run(scripted, quick(5));
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(*result, 7);
  EXPECT_EQ(scripted.made, 3);
}

TEST(Retry, AFailureForGoodIsNeverRetried) {
  Scripted scripted{{final_failure(), success(7)}};
  auto result = run(scripted, quick(5));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::invalid_grant);
  EXPECT_EQ(scripted.made, 1);
}

TEST(Retry, TheLastAttemptsAnswerIsHandedBackWhenAttemptsRunOut) {
  Scripted scripted{{passing()}};
  auto result = run(scripted, quick(3));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::provider_unavailable);
  EXPECT_EQ(scripted.made, 3);
}

TEST(Retry, ARetryAfterLongerThanTheLongestWaitEndsTheRetries) {
  Scripted scripted{{passing(std::chrono::seconds(30)), success(7)}};
  auto limits = quick(5);
  limits.max_wait = 10s;
  auto result = run(scripted, limits);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::provider_unavailable);
  EXPECT_EQ(scripted.made, 1);
}

TEST(Retry, ARetryAfterWithinTheLongestWaitIsWaitedFor) {
  Scripted scripted{{passing(std::chrono::seconds(0)), success(7)}};
  auto limits = quick(5);
  limits.max_wait = 10s;
  auto result = run(scripted, limits);
  ASSERT_TRUE(result);
  EXPECT_EQ(scripted.made, 2);
}

TEST(Retry, NoWaitEndsAfterTheDeadline) {
  Scripted scripted{{passing(std::chrono::seconds(5)), success(7)}};
  auto limits = quick(5);
  limits.deadline = std::chrono::steady_clock::now() + 1s;
  auto result = run(scripted, limits);
  ASSERT_FALSE(result);
  EXPECT_EQ(scripted.made, 1);
}

TEST(Backoff, EachWaitIsBetweenHalfAndAllOfTheDoubledStepUnderTheCeiling) {
  using detail::async::jittered_backoff;
  for (int attempt = 1; attempt <= 8; ++attempt) {
    auto const top = std::min<long long>(1'000, 100LL << (attempt - 1));
    std::set<long long> seen;
    for (int draw = 0; draw < 200; ++draw) {
      auto const wait = jittered_backoff(attempt, 100ms, 1'000ms).count();
      ASSERT_GE(wait, top / 2) << "attempt " << attempt;
      ASSERT_LE(wait, top) << "attempt " << attempt;
      seen.insert(wait);
    }
    EXPECT_GT(seen.size(), 20U) << "attempt " << attempt << ": callers that failed together must spread out";
  }
  EXPECT_LE(jittered_backoff(1, 0ms, 0ms), 1ms);
  EXPECT_LE(jittered_backoff(1'000, 100ms, 1'000ms), 1'000ms);
}

TEST(Backoff, ThreadsDrawApart) {
  auto draws = [] {
    std::vector<long long> out;
    for (int i = 0; i < 16; ++i) out.push_back(detail::async::jittered_backoff(4, 1'000ms, 10'000ms).count());
    return out;
  };
  std::vector<long long> first;
  std::vector<long long> second;
  std::thread([&] { first = draws(); }).join();
  std::thread([&] { second = draws(); }).join();
  EXPECT_NE(first, second);
}

}  // namespace
}  // namespace oauth::testing
