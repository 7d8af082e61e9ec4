// Several processes sharing one store: one refresh among them all, and crashes in the
// middle of refreshes that lose nothing. Each process is tests/support/store_worker.cpp.

#include "store/store_fixture.hpp"
#include "support/child_process.hpp"
#include "support/flow_harness.hpp"

#include <oauth/store/any.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace oauth::test {
namespace {

using testing::ChildProcess;
using Microsoft = providers::Microsoft<>;
using namespace std::chrono_literals;

template <class S>
struct Processes : StoreFixture<S> {
  testing::MockProvider mock;
  Runtime runtime{2};
  Manager<Microsoft> manager;
  ScratchDirectory scratch;
  std::string ca_file = (scratch.path() / "ca.pem").string();

  explicit Processes(bool rotation_grace = false)
      : mock(testing::MockOptions{.flavor = testing::Flavor::microsoft,
                                  .tls = &testing::shared_certificates(),
                                  .rotation_grace = rotation_grace}),
        manager(runtime.executor(), this->store, testing::FlowHarness::transport(runtime.executor())) {
    ProviderConfig config{"client-id", ClientSecret("client-secret"), {testing::redirect_uri}, mock.base_url()};
    manager.template configure<Microsoft>(std::move(config)).value();
    std::ofstream(ca_file) << testing::shared_certificates().ca_pem;
    ::setenv("OAUTH_ENCRYPTION_KEY", std::string(this->key.reveal()).c_str(), 1);
  }

  /// A user connects an account at the mock, with a refresh token.
  Integration connect(std::string account) {
    mock.set_account({.id = account});
    auto start = manager.template initiate_flow<Microsoft>(
        {"tenant-1", "user-1", "session-1", {"offline_access", "Mail.Read"}, testing::redirect_uri, {}});
    auto integration = manager.template complete_flow<Microsoft>(
        testing::consent_callback(start.value().authorization_url, "session-1"));
    return integration.value();
  }

  /// As if an hour had passed: the access token has expired.
  void expire(Integration const& integration) {
    auto record = this->store.find({"tenant-1", "user-1"}, integration.id).value();
    record.token_issued_at = this->now - std::chrono::minutes(61);
    record.expires_at = this->now - std::chrono::minutes(1);
    this->store.backend().update_tokens(record, record.version).value();
  }

  /// A worker's command line: what it does, then where the store, the mock and its CA are.
  std::vector<std::string> worker(std::string mode, std::vector<std::string> const& rest) {
    std::vector<std::string> argv{OAUTH_TEST_STORE_WORKER, std::move(mode), this->source.url(), mock.base_url(),
                                  ca_file};
    argv.insert(argv.end(), rest.begin(), rest.end());
    return argv;
  }
};

/// The manager's changes on a SQL store: each, with the audit rows that describe it, one
/// transaction (BasicEngine::atomically).
template <class S>
struct ManagerTransactions : Processes<S> {
  std::size_t transactions() const { return this->store.backend().commit_counts().transactions; }
};
using SqlStores = ::testing::Types<SqliteStore, PostgresStore>;
TYPED_TEST_SUITE(ManagerTransactions, SqlStores);

TYPED_TEST(ManagerTransactions, EachChangeAndItsAuditRowsCommitTogether) {
  auto at = this->transactions();
  auto start = this->manager.template initiate_flow<Microsoft>(
      {"tenant-1", "user-1", "session-1", {"offline_access", "Mail.Read"}, testing::redirect_uri, {}});
  ASSERT_TRUE(start) << start.error().message();
  EXPECT_EQ(this->transactions() - at, 1U) << "the state and its authorization_started row";

  at = this->transactions();
  auto integration =
      this->manager.template complete_flow<Microsoft>(testing::consent_callback(start->authorization_url, "session-1"));
  ASSERT_TRUE(integration) << integration.error().message();
  EXPECT_EQ(this->transactions() - at, 2U) << "the state taken; the connection, its consent and its connect row";

  this->expire(*integration);
  at = this->transactions();
  auto refreshed = this->manager.template refresh<Microsoft>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(refreshed) << refreshed.error().message();
  EXPECT_EQ(this->transactions() - at, 2U)
      << "the lease taken and the latest tokens read; the new tokens, their refresh row, the use, the lease let go";
  EXPECT_TRUE(this->store
                  .try_acquire_refresh_lease({"tenant-1", "user-1"}, integration->id, "another-process", Clock::now(),
                                             Clock::now() + 1min)
                  .value())
      << "the lease went with the tokens";

  at = this->transactions();
  auto gone = this->manager.template disconnect<Microsoft>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(gone) << gone.error().message();
  EXPECT_EQ(this->transactions() - at, 1U) << "the disconnect and its rows";

  std::set<AuditAction> actions;
  for (auto const& event : this->store.audit_log({"tenant-1", "user-1"}).value()) actions.insert(event.action);
  for (auto action :
       {AuditAction::authorization_started, AuditAction::connect, AuditAction::refresh, AuditAction::disconnect})
    EXPECT_TRUE(actions.contains(action)) << to_string(action);
}

/// Work handed to SQLite's group commit, tried with a manager of one store thread.
struct HandedOver : ManagerTransactions<SqliteStore> {
  Manager<Microsoft> one_thread{runtime.executor(), this->store, testing::FlowHarness::transport(runtime.executor()),
                                ManagerOptions{.store_threads = 1}};

  HandedOver() {
    one_thread
        .configure<Microsoft>({"client-id", ClientSecret("client-secret"), {testing::redirect_uri}, mock.base_url()})
        .value();
  }

  /// A write of the test's own, holding SQLite's one lane until released.
  class LaneHolder {
  public:
    explicit LaneHolder(TokenStore<SqliteStore::Backend>& store) {
      holder_ = std::async(std::launch::async, [&store, this, held = release_.get_future().share()] {
        auto work = [&]() -> Result<void> {
          holding_.set_value();
          held.wait();
          return {};
        };
        return store.together(store::Durability::full, work);
      });
      holding_.get_future().wait();
    }
    Result<void> release() {
      release_.set_value();
      return holder_.get();
    }

  private:
    std::promise<void> release_;
    std::promise<void> holding_;
    std::future<Result<void>> holder_;
  };
};

TEST_F(HandedOver, StatesInLineHoldNoStoreThreadAndShareOneCommit) {
  // One store thread. A state that waited for its commit on a store thread would hold
  // it, and the next would queue behind it, each with a commit of its own.

  LaneHolder lane(this->store);
  auto const at = transactions();

  std::vector<std::future<Result<FlowStart>>> started;
  for (int i = 0; i < 32; ++i)
    started.push_back(one_thread.async_initiate_flow<Microsoft>(
        {"tenant-1", "user-" + std::to_string(i), "session-1", {"Mail.Read"}, testing::redirect_uri, {}},
        boost::asio::use_future));
  std::this_thread::sleep_for(200ms);
  for (auto& s : started) EXPECT_EQ(s.wait_for(0ms), std::future_status::timeout) << "told before its commit";
  // The store thread is free meanwhile: nobody sleeps on it waiting for the line.
  auto probe = boost::asio::post(one_thread.store_executor(), boost::asio::use_future([] { return 1; }));
  EXPECT_EQ(probe.wait_for(2s), std::future_status::ready) << "a state in line holds the store thread";

  ASSERT_TRUE(lane.release());
  std::set<std::string> states;
  for (auto& s : started) {
    auto start = s.get();
    ASSERT_TRUE(start) << start.error().message();
    states.insert(start->state);
  }
  EXPECT_EQ(states.size(), 32U);
  EXPECT_EQ(transactions() - at, 2U) << "the holder's; then the 32 states in line and their rows, as one";
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(this->store.audit_log({"tenant-1", "user-" + std::to_string(i)}).value().size(), 1U) << i;
  // Each is a state like any other: its callback completes.
  auto const& first = *states.begin();
  EXPECT_TRUE(this->store.take_state(first, "session-1", Clock::now()));
}

TEST_F(HandedOver, CallbacksAndRefreshesInLineHoldNoStoreThread) {
  constexpr int each = 8;
  std::vector<Integration> connected;
  std::vector<std::uint64_t> versions;
  std::vector<FlowCallback> callbacks;
  for (int i = 0; i < each; ++i) {
    connected.push_back(connect("refreshed-" + std::to_string(i)));
    versions.push_back(this->store.find({"tenant-1", "user-1"}, connected.back().id).value().version);
    mock.set_account({.id = "connecting-" + std::to_string(i)});
    auto start = one_thread.initiate_flow<Microsoft>(
        {"tenant-1", "user-2", "session-2", {"offline_access", "Mail.Read"}, testing::redirect_uri, {}});
    callbacks.push_back(testing::consent_callback(start.value().authorization_url, "session-2"));
  }

  LaneHolder lane(this->store);

  std::vector<std::future<Result<AccessGrant>>> refreshes;
  std::vector<std::future<Result<Integration>>> completions;
  for (int i = 0; i < each; ++i) {
    refreshes.push_back(
        one_thread.async_refresh<Microsoft>("tenant-1", "user-1", connected[i].id, boost::asio::use_future));
    completions.push_back(one_thread.async_complete_flow<Microsoft>(callbacks[i], boost::asio::use_future));
  }
  std::this_thread::sleep_for(200ms);
  for (auto& r : refreshes) EXPECT_EQ(r.wait_for(0ms), std::future_status::timeout) << "refreshed before its lease";
  for (auto& c : completions) EXPECT_EQ(c.wait_for(0ms), std::future_status::timeout) << "done before its state";
  // The store thread is free meanwhile: the leases and the states wait in line without it.
  auto probe = boost::asio::post(one_thread.store_executor(), boost::asio::use_future([] { return 1; }));
  EXPECT_EQ(probe.wait_for(2s), std::future_status::ready) << "a refresh or a callback in line holds the store thread";

  ASSERT_TRUE(lane.release());
  for (int i = 0; i < each; ++i) {
    auto refreshed = refreshes[i].get();
    ASSERT_TRUE(refreshed) << refreshed.error().message();
    EXPECT_TRUE(refreshed->refreshed);
    EXPECT_EQ(this->store.find({"tenant-1", "user-1"}, connected[i].id).value().version, versions[i] + 1);
    EXPECT_TRUE(this->store
                    .try_acquire_refresh_lease({"tenant-1", "user-1"}, connected[i].id, "another-process", Clock::now(),
                                               Clock::now() + 1min)
                    .value())
        << "the lease went with the tokens";
    auto completed = completions[i].get();
    ASSERT_TRUE(completed) << completed.error().message();
  }
  EXPECT_EQ(this->store.list({"tenant-1", "user-2"}).value().size(), std::size_t{each});
}

template <class S>
struct SharedStoreProcesses : Processes<S> {};
using SharedStores = ::testing::Types<SqliteStore, PostgresStore, RedisStore>;
TYPED_TEST_SUITE(SharedStoreProcesses, SharedStores);

TYPED_TEST(SharedStoreProcesses, FourProcessesOf250CallersOnOneExpiredCredentialMakeOneRefresh) {
  auto integration = this->connect("account-1");
  this->expire(integration);
  auto const go = (this->scratch.path() / "go").string();
  std::vector<std::unique_ptr<ChildProcess>> workers;
  for (int i = 0; i < 4; ++i) {
    workers.push_back(std::make_unique<ChildProcess>(this->worker("storm", {go, integration.id, "250"}),
                                                     this->scratch.path().string()));
  }
  for (auto& w : workers) ASSERT_EQ(w->read_line(std::chrono::seconds(30)), "ready");
  std::ofstream{go} << "go";

  std::set<std::string> fingerprints;
  for (auto& w : workers) {
    std::string line;
    do line = w->read_line(std::chrono::seconds(60));
    while (line.starts_with("error"));  // printed before "done"; the count below tells
    std::istringstream in(line);
    std::string word, fingerprint;
    int succeeded = 0, distinct = 0;
    in >> word >> succeeded >> distinct >> fingerprint;
    EXPECT_EQ(word, "done") << line;
    EXPECT_EQ(succeeded, 250) << line;
    EXPECT_EQ(distinct, 1) << line;
    fingerprints.insert(fingerprint);
    EXPECT_EQ(w->wait(std::chrono::seconds(10)), 0);
  }
  EXPECT_EQ(fingerprints.size(), 1u) << "the processes were handed different tokens";
  EXPECT_EQ(this->mock.requests("token.refresh_token"), 1);
  // The rotated refresh token is the one stored, and it works.
  auto refreshed = this->manager.template refresh<Microsoft>("tenant-1", "user-1", integration.id);
  ASSERT_TRUE(refreshed) << refreshed.error().message();
}

template <class S>
struct Crashes : Processes<S> {
  Crashes() : Processes<S>(/*rotation_grace=*/true) {}
};
TYPED_TEST_SUITE(Crashes, SharedStores);

TYPED_TEST(Crashes, SigkillInTheMiddleOfRefreshesLeavesEveryCredentialWithAWholePair) {
  std::vector<Integration> integrations;
  for (int i = 0; i < 3; ++i) integrations.push_back(this->connect("account-" + std::to_string(i)));
  std::vector<std::string> ids;
  for (auto const& integration : integrations) ids.push_back(integration.id);

  std::minstd_rand random(7);
  std::uniform_int_distribution<int> pause_ms(0, 40);
  constexpr int kills = 25;
  for (int round = 0; round < kills; ++round) {
    ChildProcess churn(this->worker("churn", ids), this->scratch.path().string());
    auto const first = churn.read_line(std::chrono::seconds(30));
    ASSERT_EQ(first, "refreshed 1") << "round " << round;
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    churn.kill_now();
  }
  auto const refreshes = this->mock.requests("token.refresh_token");
  EXPECT_GE(refreshes, kills);

  for (auto const& integration : integrations) {
    SCOPED_TRACE(integration.id);
    auto credential = this->store.credential({"tenant-1", "user-1"}, integration.id);
    ASSERT_TRUE(credential) << credential.error().message();
    ASSERT_TRUE(credential->refresh_token);
    // The stored pair is one the provider issued together: the old pair or the new, never a mix.
    EXPECT_EQ(this->mock.refresh_issued_with(std::string(credential->access_token.reveal())),
              std::string(credential->refresh_token->reveal()));
    EXPECT_TRUE(this->mock.token_active(std::string(credential->refresh_token->reveal())));
    // And it still works.
    auto refreshed = this->manager.template refresh<Microsoft>("tenant-1", "user-1", integration.id);
    ASSERT_TRUE(refreshed) << refreshed.error().message();
  }
  std::cout << "[ info ] " << refreshes << " refreshes across " << kills << " processes killed with SIGKILL\n";
}

}  // namespace
}  // namespace oauth::test
