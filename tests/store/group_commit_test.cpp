// Group commit on a real database: writes that arrive while one commits share the next
// transaction, each is told its own outcome, and none before the commit.
#include "store/backends.hpp"
#include "store/store_fixture.hpp"

#include <oauth/detail/store/connection_pool.hpp>
#include <oauth/detail/store/group_commit.hpp>
#include <oauth/store/postgres.hpp>
#include <oauth/store/sqlite.hpp>
#include <oauth/store/unit_of_work.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace oauth::test {
namespace {

using detail::store::ConnectionPool;
using detail::store::Durability;
using detail::store::GroupCommit;
using detail::store::Statement;
using detail::store::Value;
using namespace std::chrono_literals;

/// Notes, each naming another as its parent; that key is checked only at COMMIT.
constexpr char const* notes_schema =
    "CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, parent TEXT REFERENCES notes (id) DEFERRABLE "
    "INITIALLY DEFERRED)";
constexpr Statement insert_note{"INSERT INTO notes (id, parent) VALUES (?, ?)"};

struct SqliteDatabase {
  using Connection = detail::store::SqliteConnection;
  SqliteStore files;
  ConnectionPool<Connection> pool{[path = files.path()] { return Connection::open({.path = path}); }, 4};
  /// Its answer to "how are commits synced now": FULL, or NORMAL for a relaxed one.
  static constexpr Statement sync_level{"PRAGMA synchronous"};
  static constexpr char const* full = "2";
  static constexpr char const* relaxed = "1";
};

struct PostgresDatabase {
  using Connection = detail::store::PostgresConnection;
  PostgresStore server;
  ConnectionPool<Connection> pool{[options = server.options()] { return Connection::open(options); }, 4};
  static constexpr Statement sync_level{"SELECT current_setting('synchronous_commit')"};
  static constexpr char const* full = "on";
  static constexpr char const* relaxed = "off";
};

template <class D>
struct GroupCommitOn : ::testing::Test {
  using Connection = typename D::Connection;
  D database;
  GroupCommit<Connection> commits{1};

  void SetUp() override {
    if constexpr (std::is_same_v<D, PostgresDatabase>) {
      PGconn* conn = PQconnectdb(TestServers::shared().postgres_url().c_str());
      PQclear(PQexec(conn, ("CREATE SCHEMA IF NOT EXISTS " + database.server.schema).c_str()));
      PQfinish(conn);
    }
    auto made = database.pool.with_connection([](Connection& c, bool&) { return c.execute_script(notes_schema); });
    ASSERT_TRUE(made) << made.error().message();
  }

  /// A write of one note, `parent` naming another (checked only at COMMIT).
  static Result<void> write(Connection& c, std::string const& id, std::string const& parent = {}) {
    std::vector<Value> params{std::string_view(id)};
    params.emplace_back(parent.empty() ? Value(nullptr) : Value(std::string_view(parent)));
    auto ran = c.run(insert_note, params, [](auto const&) {});
    if (!ran) return ran.error();
    return {};
  }

  bool stored(std::string const& id) {
    std::size_t rows = 0;
    static constexpr Statement find{"SELECT id FROM notes WHERE id = ?"};
    auto ran = database.pool.with_connection([&](Connection& c, bool&) {
      std::vector<Value> params{std::string_view(id)};
      return c.run(find, params, [&](auto const&) { ++rows; });
    });
    return ran && rows == 1;
  }

  /// Runs `first` as the leader's write, and while it is held, `others` from threads of
  /// their own: they wait in line, and go as one transaction once `first` commits.
  template <class First, class Others>
  std::vector<Result<void>> held_then(First first, std::vector<Others> others, Durability durability = Durability::full,
                                      std::vector<Durability> durabilities = {}) {
    std::promise<void> release;
    auto held = release.get_future().share();
    auto leader = std::async(std::launch::async, [&, held] {
      auto body = [&](Connection& c) {
        held.wait();
        return first(c);
      };
      return commits.run(database.pool, durability, body);
    });
    std::this_thread::sleep_for(50ms);  // the leader holds its transaction
    std::vector<std::future<Result<void>>> waiting;
    for (std::size_t i = 0; i < others.size(); ++i)
      waiting.push_back(std::async(std::launch::async, [&, i] {
        auto const d = durabilities.empty() ? Durability::full : durabilities[i];
        return commits.run(database.pool, d, others[i]);
      }));
    std::this_thread::sleep_for(100ms);  // every one of them is in line
    for (auto& w : waiting) EXPECT_EQ(w.wait_for(0ms), std::future_status::timeout) << "told before its commit";
    release.set_value();
    std::vector<Result<void>> outcomes{leader.get()};
    for (auto& w : waiting) outcomes.push_back(w.get());
    return outcomes;
  }
};

using Databases = ::testing::Types<SqliteDatabase, PostgresDatabase>;
TYPED_TEST_SUITE(GroupCommitOn, Databases);

TYPED_TEST(GroupCommitOn, WritesThatArriveWhileOneCommitsShareTheNextTransaction) {
  using Connection = typename TypeParam::Connection;
  std::vector<std::function<Result<void>(Connection&)>> others;
  for (int i = 0; i < 8; ++i)
    others.emplace_back([i](Connection& c) { return TestFixture::write(c, "note-" + std::to_string(i)); });
  auto outcomes = this->held_then([](Connection& c) { return TestFixture::write(c, "first"); }, others);
  for (auto const& outcome : outcomes) EXPECT_TRUE(outcome) << outcome.error().message();
  EXPECT_TRUE(this->stored("first"));
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(this->stored("note-" + std::to_string(i))) << i;
  auto const counts = this->commits.counts();
  EXPECT_EQ(counts.writes, 9U);
  EXPECT_EQ(counts.transactions, 2U) << "the eight in line went as one";
}

TYPED_TEST(GroupCommitOn, AWriteThatFailsIsRolledBackAloneAndToldWhy) {
  using Connection = typename TypeParam::Connection;
  std::vector<std::function<Result<void>(Connection&)>> others{
      [](Connection& c) { return TestFixture::write(c, "a"); },
      // Writes one note, then one that exists: both are undone, and only this one fails.
      [](Connection& c) -> Result<void> {
        if (auto wrote = TestFixture::write(c, "half"); !wrote) return wrote;
        return TestFixture::write(c, "first");
      },
      [](Connection& c) { return TestFixture::write(c, "b"); },
  };
  auto outcomes = this->held_then([](Connection& c) { return TestFixture::write(c, "first"); }, others);
  EXPECT_TRUE(outcomes[0]);
  EXPECT_TRUE(outcomes[1]);
  ASSERT_FALSE(outcomes[2]);
  EXPECT_EQ(outcomes[2].error(), Errc::store_conflict);
  EXPECT_TRUE(outcomes[3]);
  EXPECT_TRUE(this->stored("a"));
  EXPECT_TRUE(this->stored("b"));
  EXPECT_FALSE(this->stored("half"));
  EXPECT_EQ(this->commits.counts().transactions, 2U);
}

TYPED_TEST(GroupCommitOn, WritesRunBareOnceAndAgainInSavepointsOnlyWhenOneFails) {
  using Connection = typename TypeParam::Connection;
  struct Runs {
    int bare = 0;
    int in_savepoints = 0;
  };
  auto counted = [](Runs& runs, std::string id) {
    return [&runs, id](Connection& c) {
      ++(detail::store::bare_pass() != nullptr ? runs.bare : runs.in_savepoints);
      return TestFixture::write(c, id);
    };
  };
  std::vector<Runs> runs(3);
  std::vector<std::function<Result<void>(Connection&)>> others;
  for (std::size_t i = 0; i < runs.size(); ++i) others.emplace_back(counted(runs[i], "ok-" + std::to_string(i)));
  auto outcomes = this->held_then([](Connection& c) { return TestFixture::write(c, "first"); }, others);
  for (auto const& outcome : outcomes) EXPECT_TRUE(outcome);
  for (auto const& r : runs) {
    EXPECT_EQ(r.bare, 1) << "no write failed: one bare pass";
    EXPECT_EQ(r.in_savepoints, 0);
  }

  // One write of the next line fails: the bare pass stops there and is rolled back, and
  // every write runs again in a savepoint of its own; only the failed one is lost.
  runs.assign(3, Runs{});
  others.clear();
  others.emplace_back(counted(runs[0], "again-0"));
  others.emplace_back(counted(runs[1], "first"));  // exists
  others.emplace_back(counted(runs[2], "again-2"));
  outcomes = this->held_then([](Connection& c) { return TestFixture::write(c, "lead"); }, others);
  EXPECT_TRUE(outcomes[0]);
  EXPECT_TRUE(outcomes[1]);
  ASSERT_FALSE(outcomes[2]);
  EXPECT_EQ(outcomes[2].error(), Errc::store_conflict);
  EXPECT_TRUE(outcomes[3]);
  EXPECT_EQ(runs[1].bare, 1);
  for (auto const& r : runs) {
    EXPECT_LE(r.bare, 1) << "those in line before the failed one ran bare too";
    EXPECT_EQ(r.in_savepoints, 1);
  }
  EXPECT_TRUE(this->stored("again-0"));
  EXPECT_TRUE(this->stored("again-2"));

  // A write alone that fails is rolled back without a second pass.
  Runs alone;
  auto failing = counted(alone, "first");
  auto outcome = this->commits.run(this->database.pool, Durability::full, failing);
  EXPECT_EQ(outcome.error(), Errc::store_conflict);
  EXPECT_EQ(alone.bare, 1);
  EXPECT_EQ(alone.in_savepoints, 0);
}

TYPED_TEST(GroupCommitOn, ACommitThatFailsFailsEveryWriteInIt) {
  using Connection = typename TypeParam::Connection;
  // A note whose parent does not exist passes its own statement and fails the COMMIT
  // (the key is checked at the end): the writes that shared it are lost with it.
  std::vector<std::function<Result<void>(Connection&)>> others{
      [](Connection& c) { return TestFixture::write(c, "a"); },
      [](Connection& c) { return TestFixture::write(c, "orphan", "nobody"); },
      [](Connection& c) { return TestFixture::write(c, "b"); },
  };
  auto outcomes = this->held_then([](Connection& c) { return TestFixture::write(c, "first"); }, others);
  EXPECT_TRUE(outcomes[0]) << "the leader's own transaction committed";
  for (std::size_t i = 1; i < outcomes.size(); ++i) EXPECT_FALSE(outcomes[i]) << i;
  EXPECT_TRUE(this->stored("first"));
  for (auto const* lost : {"a", "orphan", "b"}) EXPECT_FALSE(this->stored(lost)) << lost;
  // The line goes on: the next write commits.
  auto next = [](Connection& c) { return TestFixture::write(c, "c"); };
  EXPECT_TRUE(this->commits.run(this->database.pool, Durability::full, next));
  EXPECT_TRUE(this->stored("c"));
}

TYPED_TEST(GroupCommitOn, AWriteThatThrowsThrowsInItsOwnCallerAndTheOthersCommit) {
  using Connection = typename TypeParam::Connection;
  std::promise<void> release;
  auto leader = std::async(std::launch::async, [&, held = release.get_future().share()] {
    auto body = [&](Connection& c) {
      held.wait();
      return TestFixture::write(c, "first");
    };
    return this->commits.run(this->database.pool, Durability::full, body);
  });
  std::this_thread::sleep_for(50ms);
  auto throwing = std::async(std::launch::async, [&] {
    auto body = [](Connection& c) -> Result<void> {
      (void)TestFixture::write(c, "half");
      throw std::runtime_error("the work failed");
    };
    return this->commits.run(this->database.pool, Durability::full, body);
  });
  auto writing = std::async(std::launch::async, [&] {
    auto body = [](Connection& c) { return TestFixture::write(c, "a"); };
    return this->commits.run(this->database.pool, Durability::full, body);
  });
  std::this_thread::sleep_for(100ms);
  release.set_value();
  EXPECT_TRUE(leader.get());
  EXPECT_THROW((void)throwing.get(), std::runtime_error);
  EXPECT_TRUE(writing.get());
  EXPECT_TRUE(this->stored("a"));
  EXPECT_FALSE(this->stored("half"));
  // Nobody is left waiting, and the lane is free for the next.
  auto next = [](Connection& c) { return TestFixture::write(c, "next"); };
  EXPECT_TRUE(this->commits.run(this->database.pool, Durability::full, next));
}

TYPED_TEST(GroupCommitOn, ATransactionIsAsDurableAsItsMostDurableWrite) {
  using Connection = typename TypeParam::Connection;
  auto level_in = [](std::string& seen) {
    return [&seen](Connection& c) -> Result<void> {
      auto ran = c.run(TypeParam::sync_level, {}, [&](auto const& row) { seen = std::string(row.text(0)); });
      if (!ran) return ran.error();
      return {};
    };
  };
  std::string alone;
  auto relaxed_alone = level_in(alone);
  ASSERT_TRUE(this->commits.run(this->database.pool, Durability::relaxed, relaxed_alone));
  EXPECT_EQ(alone, TypeParam::relaxed);

  std::string after;
  auto full_after = level_in(after);
  ASSERT_TRUE(this->commits.run(this->database.pool, Durability::full, full_after));
  EXPECT_EQ(after, TypeParam::full) << "a relaxed transaction leaves the connection as it found it";

  // A relaxed write in line with a full one commits fully.
  std::string mixed;
  std::vector<std::function<Result<void>(Connection&)>> others{
      level_in(mixed), [](Connection& c) { return TestFixture::write(c, "x"); }};
  auto outcomes = this->held_then([](Connection& c) { return TestFixture::write(c, "first"); }, others,
                                  Durability::relaxed, {Durability::relaxed, Durability::full});
  for (auto const& outcome : outcomes) EXPECT_TRUE(outcome);
  EXPECT_EQ(mixed, TypeParam::full);
}

TYPED_TEST(GroupCommitOn, ManyWritersAllLandAndShareCommits) {
  using Connection = typename TypeParam::Connection;
  GroupCommit<Connection> lanes{2};
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto id = "w" + std::to_string(t) + "-" + std::to_string(i);
        auto body = [&](Connection& c) { return TestFixture::write(c, id); };
        if (!lanes.run(this->database.pool, Durability::full, body)) ++failed;
      }
    });
  for (auto& w : writers) w.join();
  EXPECT_EQ(failed.load(), 0);
  for (int t = 0; t < 8; ++t)
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(this->stored("w" + std::to_string(t) + "-" + std::to_string(i)));
  auto const counts = lanes.counts();
  EXPECT_EQ(counts.writes, 400U);
  EXPECT_LE(counts.transactions, counts.writes);
}

/// Work handed over (GroupCommit::submit) that writes one note, and keeps what it is told.
/// `start` decides where a leader it is asked to start runs.
struct HandedNote final : store::DeferredWork {
  HandedNote(std::string note, std::function<void(std::function<void()>)> starts)
      : id(std::move(note)), start(std::move(starts)) {}
  Result<void> run() override { return {}; }  // the note is written by submit's wrap
  void finish(Result<void> outcome, std::exception_ptr thrown) noexcept override {
    told.set_value({std::move(outcome), thrown});
  }
  void start_leader(std::function<void()> lead) override {
    ++leaders_started;
    start(std::move(lead));
  }
  std::string id;
  std::function<void(std::function<void()>)> start;
  int leaders_started = 0;
  std::promise<std::pair<Result<void>, std::exception_ptr>> told;
};

/// Hands `note` over to `commits`: its note is written by whoever leads.
template <class Connection, class Pool>
void hand_over(GroupCommit<Connection>& commits, Pool& pool, HandedNote& note, bool fail = false) {
  commits.submit(
      pool, Durability::full, note,
      [fail](Connection& c, store::DeferredWork& w) -> Result<void> {
        if (fail) throw std::runtime_error("the handed-over work failed");
        return GroupCommitOn<SqliteDatabase>::write(c, static_cast<HandedNote&>(w).id);
      },
      nullptr);
}

using GroupCommitHandedOver = GroupCommitOn<SqliteDatabase>;

TEST_F(GroupCommitHandedOver, WorkWaitsInTheLineOfCallersWithNoThreadAndIsToldOnlyOnceCommitted) {
  using Connection = SqliteDatabase::Connection;
  std::vector<std::thread> leaders;
  auto on_a_thread = [&](std::function<void()> lead) { leaders.emplace_back(std::move(lead)); };

  std::promise<void> release;
  auto leader = std::async(std::launch::async, [&, held = release.get_future().share()] {
    auto body = [&](Connection& c) {
      held.wait();
      return write(c, "first");
    };
    return commits.run(database.pool, Durability::full, body);
  });
  std::this_thread::sleep_for(50ms);
  std::vector<std::unique_ptr<HandedNote>> notes;
  for (auto const* id : {"h-0", "first", "h-2"}) notes.push_back(std::make_unique<HandedNote>(id, on_a_thread));
  std::vector<std::future<std::pair<Result<void>, std::exception_ptr>>> told;
  for (auto& note : notes) {
    told.push_back(note->told.get_future());
    hand_over(commits, database.pool, *note);
  }
  auto caller = std::async(std::launch::async, [&] {
    auto body = [](Connection& c) { return write(c, "caller"); };
    return commits.run(database.pool, Durability::full, body);
  });
  std::this_thread::sleep_for(100ms);
  for (auto& t : told) EXPECT_EQ(t.wait_for(0ms), std::future_status::timeout) << "told before its commit";
  EXPECT_TRUE(leaders.empty()) << "the lane is busy: nobody else leads";

  release.set_value();
  EXPECT_TRUE(leader.get());
  EXPECT_TRUE(caller.get());
  auto first = told[0].get();
  EXPECT_TRUE(first.first);
  auto duplicate = told[1].get();
  ASSERT_FALSE(duplicate.first);
  EXPECT_EQ(duplicate.first.error(), Errc::store_conflict) << "each is told its own outcome";
  EXPECT_TRUE(told[2].get().first);
  for (auto const* id : {"h-0", "h-2", "caller"}) EXPECT_TRUE(stored(id)) << id;
  EXPECT_EQ(commits.counts().transactions, 2U) << "the work and the caller in line shared one";
  EXPECT_TRUE(leaders.empty()) << "the caller in line led it";

  // With the lane free, work handed over starts its own leader, who commits it and stops.
  HandedNote alone("alone", on_a_thread);
  auto alone_told = alone.told.get_future();
  hand_over(commits, database.pool, alone);
  EXPECT_TRUE(alone_told.get().first);
  EXPECT_EQ(alone.leaders_started, 1);
  for (auto& l : leaders) l.join();
  EXPECT_TRUE(stored("alone"));

  // What the work throws is handed back to it, not thrown in the leader.
  leaders.clear();
  HandedNote throwing("thrown", on_a_thread);
  auto thrown_told = throwing.told.get_future();
  hand_over(commits, database.pool, throwing, true);
  auto thrown = thrown_told.get();
  EXPECT_TRUE(thrown.second);
  for (auto& l : leaders) l.join();
  EXPECT_FALSE(stored("thrown"));
}

TEST_F(GroupCommitHandedOver, ACallerTakesTheLaneOfALeaderThatHasNotBegun) {
  // A leader is started on the store's threads, where callers may be waiting on a line
  // it would lead: if they all waited, it would never run. A caller who finds the lane
  // held by a leader that has not begun leads instead, and the line with it.
  using Connection = SqliteDatabase::Connection;
  std::vector<std::function<void()>> not_begun;
  HandedNote note("handed", [&](std::function<void()> lead) { not_begun.push_back(std::move(lead)); });
  auto told = note.told.get_future();
  hand_over(commits, database.pool, note);
  ASSERT_EQ(not_begun.size(), 1U);

  auto caller = std::async(std::launch::async, [&] {
    auto body = [](Connection& c) { return write(c, "caller"); };
    return commits.run(database.pool, Durability::full, body);
  });
  ASSERT_EQ(caller.wait_for(5s), std::future_status::ready) << "the caller waited for a leader that cannot begin";
  EXPECT_TRUE(caller.get());
  ASSERT_EQ(told.wait_for(0ms), std::future_status::ready) << "the caller led the work in line too";
  EXPECT_TRUE(told.get().first);
  EXPECT_TRUE(stored("handed"));

  // The overtaken leader, begun at last, finds its lane gone and stops; the lanes are
  // counted right: the next work starts a leader of its own.
  not_begun.front()();
  HandedNote next("next", [&](std::function<void()> lead) { not_begun.push_back(std::move(lead)); });
  auto next_told = next.told.get_future();
  hand_over(commits, database.pool, next);
  ASSERT_EQ(not_begun.size(), 2U);
  not_begun.back()();
  EXPECT_TRUE(next_told.get().first);
  EXPECT_TRUE(stored("next"));
}

/// A change and the audit rows that describe it, through TokenStore::together.
template <class S>
struct Together : StoreFixture<S> {
  Owner const owner{"tenant-1", "user-1"};

  Result<void> audit(std::string reason) {
    return this->store.audit({.tenant_id = "tenant-1",
                              .user_id = "user-1",
                              .action = AuditAction::refresh,
                              .success = true,
                              .reason = std::move(reason)});
  }
  bool audited(std::string const& reason) {
    for (auto const& event : this->store.audit_log(owner).value())
      if (event.reason == reason) return true;
    return false;
  }
};

using SqlStores = ::testing::Types<SqliteStore, PostgresStore>;
TYPED_TEST_SUITE(Together, SqlStores);

TYPED_TEST(Together, AChangeAndItsAuditRowsCommitAsOneTransaction) {
  auto const record = this->connect();
  auto credential = this->store.credential(this->owner, record.id).value();
  auto const before = this->store.backend().commit_counts();
  auto work = [&]() -> Result<void> {
    auto replaced = this->store.replace_tokens(credential, this->tokens("access-2", "refresh-2", this->now));
    if (!replaced) return replaced.error();
    if (auto noted = this->audit("replaced"); !noted) return noted;
    return this->audit("and said so twice");
  };
  ASSERT_TRUE(this->store.together(store::Durability::full, work));
  auto const after = this->store.backend().commit_counts();
  EXPECT_EQ(after.transactions - before.transactions, 1U);
  EXPECT_EQ(this->store.credential(this->owner, record.id).value().access_token.reveal(), "access-2");
  EXPECT_TRUE(this->audited("replaced"));
  EXPECT_TRUE(this->audited("and said so twice"));
}

TYPED_TEST(Together, WorkThatFailsLeavesNothingOfIt) {
  auto const record = this->connect();
  auto credential = this->store.credential(this->owner, record.id).value();
  auto work = [&]() -> Result<void> {
    if (auto noted = this->audit("about to replace"); !noted) return noted;
    auto replaced = this->store.replace_tokens(credential, this->tokens("access-2", "refresh-2", this->now));
    if (!replaced) return replaced.error();
    return Error(Errc::store_failure, "the change could not be finished");
  };
  auto const outcome = this->store.together(store::Durability::full, work);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error(), Errc::store_failure);
  EXPECT_EQ(this->store.credential(this->owner, record.id).value().access_token.reveal(), "access-1");
  EXPECT_FALSE(this->audited("about to replace"));
}

TYPED_TEST(Together, ACallThatFailsInsideIsUndoneAloneAndTheRestCommits) {
  auto const record = this->connect();
  auto stale = this->store.credential(this->owner, record.id).value();
  ASSERT_TRUE(this->store.replace_tokens(stale, this->tokens("access-2", "refresh-2", this->now)));
  std::optional<Error> refused;
  int runs = 0;
  auto work = [&]() -> Result<void> {
    ++runs;
    auto replaced = this->store.replace_tokens(stale, this->tokens("access-3", "refresh-3", this->now));
    if (!replaced) refused = replaced.error();
    return this->audit("a stale replacement was refused");
  };
  ASSERT_TRUE(this->store.together(store::Durability::full, work));
  EXPECT_EQ(runs, 2) << "the failed call spoils the bare pass: the work runs again with savepoints";
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, Errc::store_conflict);
  EXPECT_EQ(this->store.credential(this->owner, record.id).value().access_token.reveal(), "access-2");
  EXPECT_TRUE(this->audited("a stale replacement was refused"));
}

TYPED_TEST(Together, ReadsInsideSeeTheWritesBeforeThem) {
  auto const record = this->connect();
  auto credential = this->store.credential(this->owner, record.id).value();
  std::string seen;
  auto work = [&]() -> Result<void> {
    auto replaced = this->store.replace_tokens(credential, this->tokens("access-2", "refresh-2", this->now));
    if (!replaced) return replaced.error();
    auto reread = this->store.credential(this->owner, record.id);
    if (!reread) return reread.error();
    seen = std::string(reread->access_token.reveal());
    return {};
  };
  ASSERT_TRUE(this->store.together(store::Durability::full, work));
  EXPECT_EQ(seen, "access-2");
}

TYPED_TEST(Together, ForgottenStatesAreDeletedWithANewStateAtMostOnceAMinute) {
  using namespace std::chrono_literals;
  auto const put = [&](std::string name, TimePoint made, TimePoint expires) {
    FlowState flow{.state = std::move(name), .provider = "google", .tenant_id = "tenant-1", .user_id = "user-1"};
    flow.session_id = "session-1";
    flow.created_at = made;
    flow.expires_at = expires;
    ASSERT_TRUE(this->store.put_state(flow));
  };
  auto const t0 = this->now;
  put("a", t0, t0 + 10min);  // the first put purges (nothing yet)
  // Two hours on, `a` is an hour past its expiry: the next put deletes it. `d` expires
  // just after the line that put draws, so it stays.
  put("d", t0 + 2h, t0 + 1h + 10s);
  EXPECT_EQ(this->source.rows("flow_states"), 1U) << "a is gone";
  put("b", t0 + 2h, t0 + 2h + 10min);
  // Thirty seconds on, `d` is forgotten too, but a purge ran less than a minute ago.
  put("c", t0 + 2h + 30s, t0 + 2h + 10min);
  EXPECT_EQ(this->source.rows("flow_states"), 3U) << "d, b, c: no purge within the minute";
  put("e", t0 + 2h + 61s, t0 + 2h + 10min);
  EXPECT_EQ(this->source.rows("flow_states"), 3U) << "b, c, e: d went a minute after the last purge";
}

}  // namespace
}  // namespace oauth::test
