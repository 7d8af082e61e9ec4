// Asio's contract on the library's async_ operations: every kind of completion token,
// the handler's associated executor and allocator, cancellation of each type through the
// handler's slot (one waiter of a shared refresh, a callback exchange, an API call, a
// disconnect that refuses), awaitable operators and parallel groups, and the blocking
// forms' refusal on the manager's own context.
#include "support/flow_harness.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace oauth::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using providers::Google;
using providers::Notion;
using SteadyClock = std::chrono::steady_clock;

bool aborted(Error const& error) { return error.code == asio::error::operation_aborted; }

/// A Google integration whose token is due for refresh, with the mock's token endpoint
/// holding its answers until released.
struct AsyncContract : ::testing::Test {
  // Before the harness, so they outlive it: an operation a failed assertion leaves
  // pending still refers to its signal until the harness is gone.
  asio::cancellation_signal cancel, cancel_other;
  FlowHarness h;
  Integration integration;

  void SetUp() override {
    auto connected = h.connect<Google>("user-1", FlowHarness::refreshable_scopes<Google>());
    ASSERT_TRUE(connected) << connected.error().message();
    integration = *connected;
  }

  // A test that fails while the mock holds answers must not leave the harness waiting.
  void TearDown() override { h.google.release(); }

  void make_due_and_hold() {
    h.clock.advance(2h);
    h.google.hold("token");
  }

  /// Waits until `n` callers share refreshes in this process.
  void await_callers(std::size_t n) {
    auto const give_up = SteadyClock::now() + 5s;
    while (h.manager.refresh_activity().callers < n && SteadyClock::now() < give_up) std::this_thread::sleep_for(1ms);
    ASSERT_EQ(h.manager.refresh_activity().callers, n);
  }

  /// One async_get_access_token whose handler is bound to `signal`'s slot.
  std::future<Result<AccessGrant>> token_cancellable_by(asio::cancellation_signal& signal) {
    auto promise = std::make_shared<std::promise<Result<AccessGrant>>>();
    auto future = promise->get_future();
    h.manager.async_get_access_token<Google>(
        "tenant-1", "user-1", integration.id,
        asio::bind_cancellation_slot(signal.slot(),
                                     [promise](Result<AccessGrant> grant) { promise->set_value(std::move(grant)); }));
    return future;
  }

  /// Emits `type` on `signal` from the manager's executor, as Asio asks of an emitter,
  /// and returns once the emission has: the signal must outlive it.
  void emit(asio::cancellation_signal& signal, asio::cancellation_type type) {
    std::promise<void> emitted;
    asio::post(h.manager.get_executor(), [&] {
      signal.emit(type);
      emitted.set_value();
    });
    emitted.get_future().wait();
  }
};

TEST_F(AsyncContract, TerminalCancellationEndsOneWaiterAtOnceAndTheRefreshGoesOnForTheOthers) {
  make_due_and_hold();
  auto first = token_cancellable_by(cancel);
  auto second = h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration.id, asio::use_future);
  await_callers(2);

  emit(cancel, asio::cancellation_type::terminal);
  ASSERT_EQ(first.wait_for(2s), std::future_status::ready) << "the cancelled waiter still waits for the refresh";
  auto const cancelled = first.get();
  ASSERT_FALSE(cancelled);
  EXPECT_TRUE(aborted(cancelled.error())) << cancelled.error().message();
  EXPECT_EQ(second.wait_for(100ms), std::future_status::timeout) << "the other waiter was cancelled too";
  EXPECT_EQ(h.manager.refresh_activity().callers, 1u);

  h.google.release();
  auto const refreshed = second.get();
  ASSERT_TRUE(refreshed) << refreshed.error().message();
  EXPECT_TRUE(refreshed->refreshed);
  EXPECT_EQ(h.google.requests("token.refresh_token"), 1);
}

TEST_F(AsyncContract, PartialCancellationOfTheOnlyWaiterLeavesTheRefreshToFinishAndBeStored) {
  make_due_and_hold();
  auto only = token_cancellable_by(cancel);
  await_callers(1);

  emit(cancel, asio::cancellation_type::partial);
  ASSERT_EQ(only.wait_for(2s), std::future_status::ready);
  auto const cancelled = only.get();
  ASSERT_FALSE(cancelled);
  EXPECT_TRUE(aborted(cancelled.error()));

  h.google.release();
  auto const give_up = SteadyClock::now() + 5s;
  while (h.manager.refresh_activity().refreshes > 0 && SteadyClock::now() < give_up) std::this_thread::sleep_for(1ms);
  // The refresh nobody waited for was stored: the next caller gets its token, fresh.
  auto const after = h.manager.get_access_token<Google>("tenant-1", "user-1", integration.id);
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_FALSE(after->refreshed);
  EXPECT_TRUE(h.google.token_active(std::string(after->access_token.reveal())));
  EXPECT_EQ(h.google.requests("token.refresh_token"), 1);
}

TEST_F(AsyncContract, TotalCancellationIsNotSupportedAndIsIgnored) {
  make_due_and_hold();
  auto only = token_cancellable_by(cancel);
  await_callers(1);
  emit(cancel, asio::cancellation_type::total);
  EXPECT_EQ(only.wait_for(200ms), std::future_status::timeout);
  h.google.release();
  auto const grant = only.get();
  ASSERT_TRUE(grant) << grant.error().message();
  EXPECT_TRUE(grant->refreshed);
}

TEST_F(AsyncContract, AnAwaitableOperatorWithATimerCancelsTheWaitWhenTheTimerWins) {
  using namespace asio::experimental::awaitable_operators;
  make_due_and_hold();
  auto race = [&]() -> asio::awaitable<std::pair<std::size_t, SteadyClock::duration>> {
    auto const began = SteadyClock::now();
    asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
    auto winner =
        co_await (h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration.id, asio::use_awaitable) ||
                  timer.async_wait(asio::use_awaitable));
    co_return std::pair{winner.index(), SteadyClock::now() - began};
  };
  auto raced = asio::co_spawn(h.runtime.executor(), race(), asio::use_future);
  ASSERT_EQ(raced.wait_for(2s), std::future_status::ready) << "the loser was not cancelled";
  auto const [winner, took] = raced.get();
  EXPECT_EQ(winner, 1u);
  EXPECT_LT(took, 1s);
  h.google.release();
}

TEST_F(AsyncContract, AParallelGroupOfDeferredOperationsCancelsTheSlowerOne) {
  make_due_and_hold();
  asio::steady_timer timer(h.runtime.executor(), 100ms);
  // No token: the default is deferred, which a parallel group launches itself.
  auto group = asio::experimental::make_parallel_group(
      h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration.id), timer.async_wait(asio::deferred));
  auto done = group.async_wait(asio::experimental::wait_for_one(), asio::use_future);
  ASSERT_EQ(done.wait_for(2s), std::future_status::ready);
  auto [order, grant, timer_error] = done.get();
  EXPECT_EQ(order[0], 1u) << "the timer ends first";
  ASSERT_FALSE(grant);
  EXPECT_TRUE(aborted(grant.error()));
  EXPECT_FALSE(timer_error);
  h.google.release();
}

TEST_F(AsyncContract, EveryKindOfTokenCompletesWithTheResult) {
  // use_future
  auto future = h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration.id, asio::use_future);
  ASSERT_TRUE(future.get());

  // a callback
  std::promise<bool> called;
  h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration.id,
                                           [&](Result<AccessGrant> grant) { called.set_value(grant.has_value()); });
  EXPECT_TRUE(called.get_future().get());

  // use_awaitable, and the default token (deferred) awaited as it is
  auto in_coroutine = [&]() -> asio::awaitable<bool> {
    auto awaited =
        co_await h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration.id, asio::use_awaitable);
    auto deferred = co_await h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration.id);
    co_return awaited&& deferred && awaited->access_token.reveal() == deferred->access_token.reveal();
  };
  EXPECT_TRUE(asio::co_spawn(h.runtime.executor(), in_coroutine(), asio::use_future).get());

  // a deferred operation started later, with a token of its own
  auto later = h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration.id);
  EXPECT_TRUE(std::move(later)(asio::use_future).get());
}

/// Counts what is allocated through it, for the handler's associated allocator.
template <class T>
struct CountingAllocator {
  using value_type = T;
  std::shared_ptr<std::atomic<int>> count;
  explicit CountingAllocator(std::shared_ptr<std::atomic<int>> c) : count(std::move(c)) {}
  template <class U>
  CountingAllocator(CountingAllocator<U> const& other) : count(other.count) {}
  T* allocate(std::size_t n) {
    ++*count;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  template <class U>
  bool operator==(CountingAllocator<U> const& other) const {
    return count == other.count;
  }
};

TEST_F(AsyncContract, TheHandlerRunsOnItsAssociatedExecutorAndItsAllocatorIsUsed) {
  asio::io_context elsewhere;
  auto strand = asio::make_strand(elsewhere);
  auto allocations = std::make_shared<std::atomic<int>>(0);
  std::atomic<bool> on_strand = false;
  std::atomic<bool> called = false;
  h.manager.async_get_access_token<Google>(
      "tenant-1", "user-1", integration.id,
      asio::bind_allocator(CountingAllocator<void>(allocations), asio::bind_executor(strand, [&](Result<AccessGrant>) {
                             on_strand = strand.running_in_this_thread();
                             called = true;
                           })));
  auto work = asio::make_work_guard(elsewhere);
  auto const give_up = SteadyClock::now() + 5s;
  while (!called && SteadyClock::now() < give_up) elsewhere.run_for(10ms);
  EXPECT_TRUE(called);
  EXPECT_TRUE(on_strand);
  EXPECT_GT(allocations->load(), 0) << "the completion was not allocated with the handler's allocator";
}

TEST_F(AsyncContract, CancellingACallbackEndsTheCodeExchangeAndStoresNothing) {
  auto start = h.manager.initiate_flow<Google>(
      {"tenant-1", "user-2", "session-2", FlowHarness::refreshable_scopes<Google>(), redirect_uri, {}});
  ASSERT_TRUE(start);
  auto callback = consent_callback(start->authorization_url, "session-2");
  h.google.hold("token");
  std::promise<Result<Integration>> completed;
  h.manager.async_complete_flow<Google>(
      callback, asio::bind_cancellation_slot(
                    cancel.slot(), [&](Result<Integration> result) { completed.set_value(std::move(result)); }));
  auto const give_up = SteadyClock::now() + 5s;
  while (h.google.requests("token.authorization_code") < 2 && SteadyClock::now() < give_up)
    std::this_thread::sleep_for(1ms);
  emit(cancel, asio::cancellation_type::terminal);
  auto done = completed.get_future();
  ASSERT_EQ(done.wait_for(2s), std::future_status::ready);
  auto const result = done.get();
  ASSERT_FALSE(result);
  EXPECT_TRUE(aborted(result.error())) << result.error().message();
  h.google.release();
  auto const listed = h.manager.integrations("tenant-1", "user-2");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
  auto again = h.manager.complete_flow<Google>(callback);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), Errc::state_already_used);
}

TEST_F(AsyncContract, CancellingAnApiCallOrAPageWalkEndsItAtOnce) {
  h.google.hold("api");
  auto client = h.manager.client<Google>("tenant-1", "user-1", integration.id);
  std::promise<Result<ApiResponse>> called;
  client.async_send({HttpMethod::get, "/calendar/v3/users/me/calendarList"},
                    asio::bind_cancellation_slot(
                        cancel.slot(), [&](Result<ApiResponse> response) { called.set_value(std::move(response)); }));
  std::promise<Result<Pages>> walked;
  async_all_pages(client, {HttpMethod::get, "/calendar/v3/users/me/calendarList"}, {},
                  asio::bind_cancellation_slot(cancel_other.slot(),
                                               [&](Result<Pages> pages) { walked.set_value(std::move(pages)); }));
  auto const give_up = SteadyClock::now() + 5s;
  while (h.google.requests("api") < 2 && SteadyClock::now() < give_up) std::this_thread::sleep_for(1ms);
  emit(cancel, asio::cancellation_type::terminal);
  emit(cancel_other, asio::cancellation_type::terminal);
  auto call = called.get_future();
  auto walk = walked.get_future();
  ASSERT_EQ(call.wait_for(2s), std::future_status::ready);
  ASSERT_EQ(walk.wait_for(2s), std::future_status::ready);
  auto const response = call.get();
  auto const pages = walk.get();
  ASSERT_FALSE(response);
  EXPECT_TRUE(aborted(response.error())) << response.error().message();
  ASSERT_FALSE(pages);
  EXPECT_TRUE(aborted(pages.error())) << pages.error().message();
  h.google.release();
}

TEST_F(AsyncContract, CancellingAValidationOrANotionCacheRefreshEndsItAndChangesNothing) {
  auto connected = h.connect<Notion>();
  ASSERT_TRUE(connected) << connected.error().message();
  auto const notion = *connected;
  h.notion.hold("api");
  std::promise<Result<Validation>> validated;
  h.manager.async_validate<Notion>(
      "tenant-1", "user-1", notion.id,
      asio::bind_cancellation_slot(cancel.slot(), [&](Result<Validation> v) { validated.set_value(std::move(v)); }));
  providers::notion::Databases<AllProviders> const databases(h.manager, "tenant-1", "user-1", notion.id);
  std::promise<Result<std::vector<providers::notion::Database>>> listed;
  databases.async_refresh(asio::bind_cancellation_slot(
      cancel_other.slot(),
      [&](Result<std::vector<providers::notion::Database>> l) { listed.set_value(std::move(l)); }));
  auto const give_up = SteadyClock::now() + 5s;
  while (h.notion.requests("api") < 2 && SteadyClock::now() < give_up) std::this_thread::sleep_for(1ms);
  emit(cancel, asio::cancellation_type::terminal);
  emit(cancel_other, asio::cancellation_type::terminal);
  auto validation = validated.get_future();
  auto listing = listed.get_future();
  ASSERT_EQ(validation.wait_for(2s), std::future_status::ready);
  ASSERT_EQ(listing.wait_for(2s), std::future_status::ready);
  auto const v = validation.get();
  auto const l = listing.get();
  ASSERT_FALSE(v);
  EXPECT_TRUE(aborted(v.error())) << v.error().message();
  ASSERT_FALSE(l);
  EXPECT_TRUE(aborted(l.error())) << l.error().message();
  h.notion.release();
  auto const after = h.manager.integration("tenant-1", "user-1", notion.id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, IntegrationStatus::active);
  auto const cached = databases.cached();
  ASSERT_TRUE(cached) << cached.error().message();
  EXPECT_TRUE(cached->empty()) << "a cancelled refresh wrote the cache";
}

TEST_F(AsyncContract, ADisconnectSupportsNoCancellationAndRunsToItsEnd) {
  h.google.hold("revoke");
  std::promise<Result<Disconnection>> finished;
  h.manager.async_disconnect<Google>("tenant-1", "user-1", integration.id,
                                     asio::bind_cancellation_slot(cancel.slot(), [&](Result<Disconnection> result) {
                                       finished.set_value(std::move(result));
                                     }));
  auto const give_up = SteadyClock::now() + 5s;
  while (h.google.requests("revoke") < 1 && SteadyClock::now() < give_up) std::this_thread::sleep_for(1ms);
  emit(cancel, asio::cancellation_type::terminal);
  auto done = finished.get_future();
  EXPECT_EQ(done.wait_for(200ms), std::future_status::timeout);
  h.google.release();
  auto const result = done.get();
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_TRUE(result->revoked_at_provider);
  EXPECT_EQ(result->integration.status, IntegrationStatus::disconnected);
}

TEST_F(AsyncContract, TheBlockingFormsRefuseOnAnyExecutorOfTheManagersContext) {
  // A manager whose executor is a strand: the guard knew only a bare io_context's.
  auto on_strand = h.another_manager(h.store);
  auto strand = asio::make_strand(h.runtime.executor());
  AllProviders stranded(strand, h.store, FlowHarness::transport(strand));
  auto refused_on = [&](auto executor, auto& manager) {
    std::promise<Result<Disconnection>> answer;
    asio::post(executor, [&] { answer.set_value(manager.template disconnect<Google>("tenant-1", "user-1", "none")); });
    auto future = answer.get_future();
    EXPECT_EQ(future.wait_for(5s), std::future_status::ready) << "the blocking call hung";
    auto const result = future.get();
    return !result && result.error() == Errc::would_deadlock;
  };
  EXPECT_TRUE(refused_on(strand, stranded)) << "from the manager's own strand";
  EXPECT_TRUE(refused_on(asio::make_strand(h.runtime.executor()), stranded)) << "from another strand of its context";
  EXPECT_TRUE(refused_on(h.runtime.executor(), stranded)) << "from the context's own executor";
  EXPECT_TRUE(refused_on(asio::make_strand(h.runtime.executor()), *on_strand)) << "a bare manager from a strand";
  // Off the context, the same call runs.
  auto const elsewhere = stranded.disconnect<Google>("tenant-1", "user-1", "none");
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error(), Errc::integration_not_found);
}

}  // namespace
}  // namespace oauth::testing
