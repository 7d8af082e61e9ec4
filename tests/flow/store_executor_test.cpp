// The store never blocks an I/O thread: a store whose calls may wait (a database's) is
// called on the manager's store executor, so a slow query for one integration leaves the
// I/O thread free for everyone else.
#include "support/flow_harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace oauth::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using providers::Google;
using SteadyClock = std::chrono::steady_clock;

/// The memory backend as a slow database: reading one chosen integration takes 400 ms.
/// It says it blocks, as the database backends do.
struct StallingBackend : store::MemoryBackend {
  static constexpr bool blocks = true;

  std::shared_ptr<std::string> slow_id = std::make_shared<std::string>();
  std::shared_ptr<std::atomic<std::thread::id>> last_reader = std::make_shared<std::atomic<std::thread::id>>();

  Result<AccessRecord> find_access(Owner owner, std::string_view id) const {
    *last_reader = std::this_thread::get_id();
    if (!slow_id->empty() && id == *slow_id) std::this_thread::sleep_for(400ms);
    return MemoryBackend::find_access(owner, id);
  }
};

static_assert(backend_blocks<StallingBackend>());
static_assert(!backend_blocks<store::MemoryBackend>());

struct StoreExecutor : ::testing::Test {
  MockProvider google{{.flavor = Flavor::google, .tls = &shared_certificates()}};
  StallingBackend backend;
  TokenStore<StallingBackend> store{backend, crypto::Keyring::from_list(fresh_key()).value()};
  Runtime runtime{1};  // one I/O thread: whatever blocks it blocks everyone

  static std::string fresh_key() { return std::string(crypto::Fernet::generate_key().value().reveal()); }

  std::unique_ptr<Manager<Google>> manager(ManagerOptions options = {}) {
    auto made = std::make_unique<Manager<Google>>(runtime.executor(), store, FlowHarness::transport(runtime.executor()),
                                                  std::move(options));
    auto configured =
        made->configure<Google>({"client-id", ClientSecret("client-secret"), {redirect_uri}, google.base_url()});
    if (!configured) throw std::runtime_error(configured.error().message());
    return made;
  }

  static Integration connect(Manager<Google>& m, std::string const& user) {
    auto start = m.initiate_flow<Google>({"tenant-1", user, "session", {"calendar.readonly"}, redirect_uri, {}});
    if (!start) throw std::runtime_error(start.error().message());
    auto connected = m.complete_flow<Google>(consent_callback(start->authorization_url, "session"));
    if (!connected) throw std::runtime_error(connected.error().message());
    return *connected;
  }
};

TEST_F(StoreExecutor, ASlowStoreCallLeavesTheIoThreadToEveryoneElse) {
  auto m = manager();
  auto const slow = connect(*m, "user-slow");
  auto const other = connect(*m, "user-other");
  *store.backend().slow_id = slow.id;

  auto stalled = m->async_get_access_token<Google>("tenant-1", "user-slow", slow.id, asio::use_future);
  // Meanwhile, on the one I/O thread: another integration's fresh tokens, one after another,
  // and a timer that stands for every other connection's work.
  auto others = [&]() -> asio::awaitable<std::vector<SteadyClock::duration>> {
    std::vector<SteadyClock::duration> latencies;
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (int i = 0; i < 10; ++i) {
      auto const began = SteadyClock::now();
      auto grant = co_await m->async_get_access_token<Google>("tenant-1", "user-other", other.id, asio::use_awaitable);
      if (!grant) throw std::runtime_error(grant.error().message());
      tick.expires_after(5ms);
      co_await tick.async_wait(asio::use_awaitable);
      latencies.push_back(SteadyClock::now() - began);
    }
    co_return latencies;
  };
  auto const began = SteadyClock::now();
  auto latencies = asio::co_spawn(runtime.executor(), others(), asio::use_future).get();
  auto const others_took = SteadyClock::now() - began;

  auto const grant = stalled.get();
  auto const stalled_took = SteadyClock::now() - began;
  ASSERT_TRUE(grant) << grant.error().message();
  EXPECT_GE(stalled_took, 400ms);
  // Ten rounds of 5 ms: done while the slow call still stalls, each round far from its
  // 400 ms (with the store on the I/O thread, the first round takes all of them).
  EXPECT_LT(others_took, 400ms);
  EXPECT_LT(*std::max_element(latencies.begin(), latencies.end()), 100ms);
  EXPECT_NE(store.backend().last_reader->load(), std::thread::id()) << "the store was never read";
}

TEST_F(StoreExecutor, TheStoreRunsOnTheExecutorTheApplicationGives) {
  asio::thread_pool pool(1);
  std::promise<std::thread::id> pool_thread;
  asio::post(pool, [&] { pool_thread.set_value(std::this_thread::get_id()); });
  auto const expected = pool_thread.get_future().get();

  auto m = manager({.store_executor = pool.get_executor()});
  auto const integration = connect(*m, "user-1");
  auto grant = m->async_get_access_token<Google>("tenant-1", "user-1", integration.id, asio::use_future).get();
  ASSERT_TRUE(grant) << grant.error().message();
  EXPECT_EQ(store.backend().last_reader->load(), expected);
}

TEST_F(StoreExecutor, EveryCallOfTheStoreAloneHasAnAsyncFormThatRunsOnTheStoreExecutor) {
  asio::thread_pool pool(1);
  auto m = manager({.store_executor = pool.get_executor()});
  auto const integration = connect(*m, "user-1");
  CachedResource resource{.id = "page-1", .title = "Roadmap", .properties = "{}", .object = "{}"};

  // While the store executor is busy, none of them can finish.
  std::promise<void> release;
  asio::post(pool, [held = release.get_future()]() mutable { held.wait(); });
  auto integrations = m->async_integrations("tenant-1", "user-1", asio::use_future);
  auto one = m->async_integration("tenant-1", "user-1", integration.id, asio::use_future);
  auto consents = m->async_consents("tenant-1", "user-1", asio::use_future);
  auto log = m->async_audit_log("tenant-1", "user-1", asio::use_future);
  auto page = m->async_audit_page("tenant-1", "user-1", AuditQuery{.limit = 2}, asio::use_future);
  auto exported = m->async_export_user_data("tenant-1", "user-1", asio::use_future);
  auto coverage =
      m->async_scope_coverage<Google>("tenant-1", "user-1", {"calendar.readonly", "gmail.readonly"}, asio::use_future);
  auto replaced = m->async_replace_cached_resources("tenant-1", "user-1", integration.id, "test.kind", {resource},
                                                    asio::use_future);
  EXPECT_EQ(replaced.wait_for(100ms), std::future_status::timeout);
  EXPECT_EQ(integrations.wait_for(0ms), std::future_status::timeout);
  EXPECT_EQ(one.wait_for(0ms), std::future_status::timeout);
  EXPECT_EQ(consents.wait_for(0ms), std::future_status::timeout);
  EXPECT_EQ(log.wait_for(0ms), std::future_status::timeout);
  EXPECT_EQ(page.wait_for(0ms), std::future_status::timeout);
  EXPECT_EQ(exported.wait_for(0ms), std::future_status::timeout);
  EXPECT_EQ(coverage.wait_for(0ms), std::future_status::timeout);
  release.set_value();

  // Then each gives what its synchronous form gives.
  auto const listed = integrations.get();
  ASSERT_TRUE(listed) << listed.error().message();
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ(listed->front().id, integration.id);
  auto const found = one.get();
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(found->id, integration.id);
  EXPECT_EQ(consents.get().value().size(), m->consents("tenant-1", "user-1").value().size());
  EXPECT_EQ(log.get().value().size(), m->audit_log("tenant-1", "user-1").value().size());
  EXPECT_EQ(page.get().value().events.size(), 2U);
  auto const exported_here = m->export_user_data("tenant-1", "user-1").value();
  auto const exported_there = exported.get().value();
  for (auto const* part : {"integrations", "consents", "audit"})
    EXPECT_EQ(exported_there.at(part), exported_here.at(part)) << part;
  auto const covered = coverage.get();
  ASSERT_TRUE(covered) << covered.error().message();
  EXPECT_FALSE(covered->granted);
  EXPECT_EQ(covered->missing, std::vector<std::string>{"https://www.googleapis.com/auth/gmail.readonly"});
  ASSERT_TRUE(replaced.get());
  auto const cached =
      m->async_cached_resources("tenant-1", "user-1", integration.id, "test.kind", asio::use_future).get();
  ASSERT_TRUE(cached) << cached.error().message();
  ASSERT_EQ(cached->size(), 1U);
  EXPECT_EQ(cached->front().title, "Roadmap");

  // Another owner's integration is refused there as it is here.
  auto const stranger = m->async_integration("tenant-1", "user-2", integration.id, asio::use_future).get();
  EXPECT_EQ(stranger.error(), Errc::integration_not_found);

  auto const started = m->async_initiate_flow<Google>(
                            {"tenant-1", "user-1", "session", {"gmail.readonly"}, redirect_uri, {}}, asio::use_future)
                           .get();
  ASSERT_TRUE(started) << started.error().message();
  auto const second = m->complete_flow<Google>(consent_callback(started->authorization_url, "session"));
  ASSERT_TRUE(second) << second.error().message();
}

}  // namespace
}  // namespace oauth::testing
