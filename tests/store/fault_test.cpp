// Databases that go away, are locked, or were migrated by a newer library: typed errors,
// nothing half-written, and recovery when the database is back.

#include "store/store_fixture.hpp"
#include "support/files.hpp"

#include <oauth/detail/store/sqlite_checkpointer.hpp>
#include <oauth/store/open.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace oauth::test {
namespace {

// ---- schema versions ------------------------------------------------------------------

template <class S>
struct Schema : StoreFixture<S> {};
using PersistentStores = ::testing::Types<SqliteStore, PostgresStore, RedisStore>;
TYPED_TEST_SUITE(Schema, PersistentStores);

TYPED_TEST(Schema, OpeningAgainKeepsTheDataAndANewerSchemaIsRefusedClearly) {
  auto record = this->connect();
  auto again = this->source.open_again();
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->find_integration({"tenant-1", "user-1"}, record.id));

  this->source.set_schema_version(TypeParam::Backend::schema_version + 1);
  auto newer = this->source.open_again();
  ASSERT_FALSE(newer);
  EXPECT_EQ(newer.error(), Errc::schema_too_new);
  EXPECT_NE(newer.error().message().find("upgrade the library"), std::string::npos) << newer.error().message();
  // The refusal changed nothing: the store still holds the record.
  EXPECT_TRUE(this->store.find({"tenant-1", "user-1"}, record.id));
}

template <class S>
struct Migration : StoreFixture<S> {};
using SqlStores = ::testing::Types<SqliteStore, PostgresStore>;
TYPED_TEST_SUITE(Migration, SqlStores);

TYPED_TEST(Migration, AStoreFromTheFirstSchemaIsBroughtUpToDateWithItsDataKept) {
  auto record = this->connect({"tenant-1", "user-1"}, "account-1", "notion");
  this->source.downgrade_to_first_schema();
  auto again = this->source.open_again();
  ASSERT_TRUE(again) << again.error().message();
  Owner const owner{"tenant-1", "user-1"};
  EXPECT_TRUE(again->find_integration(owner, record.id));
  ASSERT_TRUE(again->replace_resources(owner, record.id, "notion.database",
                                       {CachedResource{.id = "a", .title = "Alpha"}}, this->now));
  EXPECT_EQ(again->list_resources(owner, record.id, "notion.database")->size(), 1u);
}

// ---- servers that stop ----------------------------------------------------------------

struct PostgresDown {
  static constexpr char const* server = "postgres";
  static Result<store::AnyBackend> open(TestServers const& s) {
    return store::open_backend(s.postgres_url() + "?schema=faults");
  }
};
struct RedisDown {
  static constexpr char const* server = "redis";
  static Result<store::AnyBackend> open(TestServers const& s) {
    return store::open_backend(s.value("OAUTH_TEST_REDIS_URL") + "?prefix=faults");
  }
};

template <class D>
struct ServerGoesAway : ::testing::Test {
  PrivateServers servers;
  EncryptionKey key = crypto::Fernet::generate_key().value();
  TimePoint now = store_now();

  TokenStore<store::AnyBackend> open_store() {
    return TokenStore<store::AnyBackend>(D::open(servers.servers()).value(),
                                         crypto::Keyring::from_list(key.reveal()).value());
  }
  void stop() { servers.script(std::string("stop-") + D::server); }
  void start() { servers.script(std::string("start-") + D::server); }
};
using Servers = ::testing::Types<PostgresDown, RedisDown>;
TYPED_TEST_SUITE(ServerGoesAway, Servers);

TYPED_TEST(ServerGoesAway, EveryOperationFailsTypedWhileItIsDownAndWorksWhenItIsBack) {
  auto store = this->open_store();
  Owner const owner{"tenant-1", "user-1"};
  IntegrationRecord record{.tenant_id = "tenant-1", .user_id = "user-1", .provider = "google", .account_id = "a"};
  record.created_at = record.updated_at = this->now;
  IssuedTokens tokens{
      AccessToken("access-1"), RefreshToken("refresh-1"), this->now + std::chrono::hours(1), this->now, {"read"}};
  auto saved = store.save_connection(record, tokens, {.tenant_id = "tenant-1", .user_id = "user-1"}).value();
  auto const before = store.credential(owner, saved.id).value();

  this->stop();
  auto unavailable = [](auto const& result) {
    return !result && result.error() == Errc::store_unavailable &&
           result.error().message().find("access-") == std::string::npos;
  };
  EXPECT_TRUE(unavailable(store.credential(owner, saved.id)));
  EXPECT_TRUE(unavailable(
      store.replace_tokens(before, {AccessToken("access-2"), RefreshToken("refresh-2"), std::nullopt, this->now, {}})));
  EXPECT_TRUE(unavailable(store.save_connection(record, tokens, {.tenant_id = "tenant-1", .user_id = "user-1"})));
  EXPECT_TRUE(unavailable(store.list(owner)));
  EXPECT_TRUE(unavailable(store.try_acquire_refresh_lease(owner, saved.id, "h", this->now, this->now)));
  auto const one_a_second = oauth::store::RateSpacing::of(1.0, 1);
  EXPECT_TRUE(unavailable(store.reserve_rate_slot("k", one_a_second, oauth::store::SlotRequest::reserve)));
  EXPECT_TRUE(is_transient(store.credential(owner, saved.id).error()));
  // A process that starts now cannot open the store, and says why.
  auto opened = TypeParam::open(this->servers.servers());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), Errc::store_unavailable);

  this->start();
  // The pool reconnects; nothing of the refused writes landed.
  auto after = store.credential(owner, saved.id);
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_EQ(after->access_token.reveal(), "access-1");
  EXPECT_EQ(after->record.version, before.record.version);
  EXPECT_TRUE(
      store.replace_tokens(*after, {AccessToken("access-2"), RefreshToken("refresh-2"), std::nullopt, this->now, {}}));
  EXPECT_TRUE(store.reserve_rate_slot("k", one_a_second, oauth::store::SlotRequest::reserve));
}

TYPED_TEST(ServerGoesAway, WritesInFlightWhenItStopsAreWholeOrAbsent) {
  auto store = this->open_store();
  Owner const owner{"tenant-1", "user-1"};
  IntegrationRecord record{.tenant_id = "tenant-1", .user_id = "user-1", .provider = "google", .account_id = "a"};
  record.created_at = record.updated_at = this->now;
  IssuedTokens first{AccessToken("access-0"), RefreshToken("refresh-0"), std::nullopt, this->now, {}};
  auto saved = store.save_connection(record, first, {.tenant_id = "tenant-1", .user_id = "user-1"}).value();

  // A writer rotates the pair as fast as it can while the server is stopped under it.
  std::atomic<bool> stop_writing{false};
  std::atomic<int> written{0}, refused{0};
  std::thread writer([&] {
    auto writer_store = this->open_store();
    for (int n = 1; !stop_writing; ++n) {
      auto current = writer_store.credential(owner, saved.id);
      if (!current) {
        ++refused;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      auto const suffix = std::to_string(n);
      auto result = writer_store.replace_tokens(
          *current, {AccessToken("access-" + suffix), RefreshToken("refresh-" + suffix), std::nullopt, this->now, {}});
      if (result)
        ++written;
      else
        ++refused;
    }
  });
  auto wait_for = [](std::atomic<int> const& counter, int target) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (counter < target && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return counter >= target;
  };
  bool const wrote = wait_for(written, 20);
  this->stop();
  bool const was_refused = wait_for(refused, refused.load() + 20);
  this->start();
  bool const wrote_again = wait_for(written, written.load() + 20);
  stop_writing = true;
  writer.join();
  ASSERT_TRUE(wrote && was_refused && wrote_again) << written << " written, " << refused << " refused";

  auto stored = store.credential(owner, saved.id);
  ASSERT_TRUE(stored) << stored.error().message();
  auto const access = std::string(stored->access_token.reveal());
  EXPECT_EQ(std::string(stored->refresh_token->reveal()), "refresh-" + access.substr(access.find('-') + 1));
}

// ---- SQLite: locked by another process, or not a database ------------------------------

struct SqliteFaults : StoreFixture<SqliteStore> {};

TEST_F(SqliteFaults, AWriterLockedOutPastItsTimeoutGetsATypedErrorAndWritesNothing) {
  auto record = connect();
  auto const before = store.credential({"tenant-1", "user-1"}, record.id).value();
  auto patient = store::SqliteBackend::open({.path = source.path(), .busy_timeout = std::chrono::milliseconds(100)});
  ASSERT_TRUE(patient);
  TokenStore<store::SqliteBackend> waiting(std::move(*patient), keyring);

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(source.path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto blocked = waiting.replace_tokens(before, tokens("access-2", "refresh-2", now));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);

  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error(), Errc::store_unavailable);
  auto after = waiting.credential({"tenant-1", "user-1"}, record.id).value();
  EXPECT_EQ(after.access_token.reveal(), "access-1");
  EXPECT_EQ(after.record.version, before.record.version);
  EXPECT_TRUE(waiting.replace_tokens(after, tokens("access-2", "refresh-2", now)));
}

// What the README promises of the embedded default: WAL, so readers run beside a writer,
// and synchronous=FULL, so a stored token pair survives a power cut, on every connection.
TEST(SqliteDurability, ConnectionsUseWalAndSyncEveryCommitUnlessToldOtherwise) {
  ScratchDirectory directory;
  // A connection keeps each statement prepared by where its text lives: static texts.
  static constexpr detail::store::Statement journal_mode{"PRAGMA journal_mode"};
  static constexpr detail::store::Statement synchronous{"PRAGMA synchronous"};
  auto const pragma = [](detail::store::SqliteConnection& connection, detail::store::Statement const& statement) {
    std::string value;
    auto ran =
        connection.run(statement, {}, [&](detail::store::SqliteConnection::Row const& row) { value = row.text(0); });
    EXPECT_TRUE(ran) << ran.error().message();
    return value;
  };
  auto const path = (directory.path() / "durable.db").string();
  auto durable = detail::store::SqliteConnection::open({.path = path}).value();
  EXPECT_EQ(pragma(*durable, journal_mode), "wal");
  EXPECT_EQ(pragma(*durable, synchronous), "2");  // FULL
  auto relaxed = detail::store::SqliteConnection::open({.path = (directory.path() / "relaxed.db").string(),
                                                        .durability = store::SqliteDurability::normal})
                     .value();
  EXPECT_EQ(pragma(*relaxed, synchronous), "1");  // NORMAL

  // The backend's file is in WAL mode as any other program opening it sees.
  ASSERT_TRUE(store::SqliteBackend::open({.path = (directory.path() / "backend.db").string()}));
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((directory.path() / "backend.db").c_str(), &other), SQLITE_OK);
  std::string mode;
  sqlite3_exec(
      other, "PRAGMA journal_mode",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0];
        return 0;
      },
      &mode, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(mode, "wal");
}

// SQLite's checkpoint runs in the commit that finds the WAL long, with its fsyncs, while
// every write in line waits. Here a thread of the file's own runs it, and a commit only
// when writes never pause and the WAL passes its limit.
struct SqliteCheckpoints : ::testing::Test {
  ScratchDirectory directory;
  std::string path = (directory.path() / "checkpointed.db").string();
  store::SqliteOptions options{.path = path, .wal_checkpoint_pages = 50};
  std::optional<store::SqliteBackend> backend;
  std::shared_ptr<detail::store::SqliteCheckpointer> checkpointer;
  int written = 0;

  void open(std::size_t wal_limit_pages) {
    options.wal_limit_pages = wal_limit_pages;
    backend = store::SqliteBackend::open(options).value();
    checkpointer = detail::store::SqliteCheckpointer::for_file(options);
    ASSERT_NE(checkpointer, nullptr);
  }

  /// Writes states of a page each, and two or so of the indexes'.
  void write(int states) {
    for (int i = 0; i < states; ++i, ++written) {
      auto const at = Clock::now();
      ASSERT_TRUE(backend->put_state({"state-" + std::to_string(written),
                                      "google",
                                      "tenant-1",
                                      "user-1",
                                      "session",
                                      {},
                                      std::string(3000, 'c'),
                                      "https://app.example/cb",
                                      at,
                                      at + std::chrono::minutes(10)}));
    }
  }

  /// Frames in the WAL now (a PASSIVE checkpoint from a connection of the test's own,
  /// tried again while another holds the checkpoint).
  std::size_t wal_frames() const {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "SELECT 1 FROM sqlite_master LIMIT 1", nullptr, nullptr, nullptr);  // opens the WAL
    int frames = -1;
    for (int tries = 0; tries < 100; ++tries, std::this_thread::sleep_for(std::chrono::milliseconds(10)))
      if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, nullptr) == SQLITE_OK) break;
    sqlite3_close(db);
    return static_cast<std::size_t>(frames);
  }

  /// Waits until the background checkpoints have stopped for a while: caught up.
  void settle() {
    auto last = checkpointer->counts().in_background;
    for (int quiet = 0; quiet < 3; std::this_thread::sleep_for(std::chrono::milliseconds(100))) {
      auto const now = checkpointer->counts().in_background;
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
  }
};

TEST_F(SqliteCheckpoints, RunOffTheCommittingThreadAndTheWalStartsAgainOnceCaughtUp) {
  open(10'000);
  EXPECT_EQ(checkpointer, detail::store::SqliteCheckpointer::for_file(options)) << "one for the file";
  EXPECT_EQ(detail::store::SqliteCheckpointer::for_file({.path = ":memory:"}), nullptr) << "no WAL in memory";
  write(150);  // some 450 pages: nine times the checkpoint size, under the limit
  settle();
  auto const counts = checkpointer->counts();
  EXPECT_GE(counts.in_background, 1U);
  EXPECT_EQ(counts.in_commits, 0U) << "no commit ran a checkpoint";
  // The WAL keeps what was written since it last started again: every page when the
  // checkpoints never caught up with the writes, as usually; fewer when a slowed-down run
  // let them catch up and the WAL start again in between, but the last write's always.
  // Once those are copied too, the next write starts the WAL again at its beginning: it
  // does not grow by the 450 pages written.
  EXPECT_GE(wal_frames(), 3U) << "the last write's pages are still in the WAL";
  write(1);
  EXPECT_LT(wal_frames(), 10U);
  // And a reader sees every state from the database.
  EXPECT_TRUE(backend->take_state("state-0", "session", Clock::now()));
}

TEST_F(SqliteCheckpoints, ACommitCheckpointsItselfOnlyPastTheLimit) {
  // A reader that holds its snapshot keeps the WAL from starting again, as writes that
  // never pause would: the WAL grows, and the commits past the limit checkpoint.
  open(400);
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &reader), SQLITE_OK);
  write(1);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM flow_states;", nullptr, nullptr, nullptr), SQLITE_OK);
  write(60);
  EXPECT_EQ(checkpointer->counts().in_commits, 0U) << "under the limit";
  write(150);
  EXPECT_GE(checkpointer->counts().in_commits, 1U) << "past the limit, a commit checkpoints";
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  // With the reader gone, the next commit's checkpoint copies the rest, and the WAL
  // starts again with the one after.
  write(2);
  EXPECT_LT(wal_frames(), 10U);
}

TEST_F(SqliteFaults, AFileThatIsNotADatabaseIsATypedErrorOnOpen) {
  auto const path = source.directory.path() / "not-a-database";
  std::ofstream(path) << std::string(4096, 'x');
  auto opened = store::SqliteBackend::open({.path = path.string()});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), Errc::store_unavailable);
  EXPECT_NE(opened.error().message().find("not a database"), std::string::npos) << opened.error().message();
  auto nowhere = store::SqliteBackend::open({.path = (source.directory.path() / "missing" / "x.db").string()});
  ASSERT_FALSE(nowhere);
  EXPECT_EQ(nowhere.error(), Errc::store_unavailable);
}

// Found by the fuzzer (oauthctl's credential file): SQLite quotes the schema it cannot
// read, and the schema is whatever the file says, lines and escapes included.
TEST_F(SqliteFaults, AFileWithAMalformedSchemaGetsAOneLineError) {
  auto const path = (source.directory.path() / "altered.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE t (a); PRAGMA writable_schema = ON; "
                         "UPDATE sqlite_master SET sql = 'CREATE TABLE t (a' || char(10) || char(27) || '[31m[oops' "
                         "WHERE name = 't';",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto opened = store::SqliteBackend::open({.path = path});
  ASSERT_FALSE(opened);
  auto const message = opened.error().message();
  EXPECT_NE(message.find("malformed database schema"), std::string::npos) << message;
  EXPECT_TRUE(std::all_of(message.begin(), message.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) << message;
}

// Found by the fuzzer: a file whose index says "local" where its table says "l:cal"
// handed the row to the owner "local". Whoever can write the file can write any row, but
// a damaged one is not passed off as the caller's.
TEST_F(SqliteFaults, ADamagedIndexCannotPassAnotherOwnersRowOffAsTheCallers) {
  auto const path = source.directory.path() / "damaged.db";
  std::filesystem::copy_file(OAUTH_TEST_FUZZ_CORPUS_DIR "/oauthctl_store/finding-damaged-index-other-owner", path);
  auto opened = store::SqliteBackend::open({.path = path.string()});
  ASSERT_TRUE(opened) << opened.error().message();
  auto listed = opened->list_integrations({"local", "fuzz"});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error(), Errc::store_failure);
}

// Found by the fuzzer: a damaged file's key id went into the error as it was.
TEST_F(SqliteFaults, WhatADamagedRowSaysOfItselfReachesErrorsAsOnePrintableLine) {
  auto record = connect();
  auto const foreign = crypto::Keyring::from_list(crypto::Fernet::generate_key().value().reveal()).value();
  auto const sealed_elsewhere = foreign.encrypt("access-1").value();  // base64url: safe between quotes
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(source.path().c_str(), &db), SQLITE_OK);
  auto const update =
      "UPDATE tokens SET key_id = 'abc' || char(13) || char(10) || char(27) || '[2J', access_token = '" +
      sealed_elsewhere + "'";
  ASSERT_EQ(sqlite3_exec(db, update.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto credential = store.credential({"tenant-1", "user-1"}, record.id);
  ASSERT_FALSE(credential);
  auto const message = credential.error().message();
  EXPECT_TRUE(std::all_of(message.begin(), message.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) << message;
}

TEST_F(SqliteFaults, ANewStoreFileAndItsJournalAreTheOwnersAlone) {
  auto const path = source.directory.path() / "private.db";
  auto opened = store::SqliteBackend::open({.path = path.string()});
  ASSERT_TRUE(opened) << opened.error().message();
  TokenStore<store::SqliteBackend> tokens_here(std::move(*opened), keyring);
  ASSERT_TRUE(tokens_here.audit({.at = now, .action = AuditAction::connect}));
  for (auto const& file : {path, std::filesystem::path(path.string() + "-wal")}) {
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << file;
  }
}

// ---- store URLs ----------------------------------------------------------------------

TEST(PostgresNotices, StayOutOfTheProgramsOutput) {
  PostgresStore first;
  ASSERT_TRUE(first.open());
  // Opening the same schema again makes the server say "schema ... already exists,
  // skipping": libpq would print that to stderr.
  ::testing::internal::CaptureStderr();
  auto again = first.open();
  auto const printed = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(printed, "");
}

TEST(StoreUrl, EachKindAndItsNamespaceAreRead) {
  auto sqlite = store::StoreUrl::parse("sqlite:data/tokens.db").value();
  EXPECT_EQ(sqlite.kind, store::StoreKind::sqlite);
  EXPECT_EQ(sqlite.location, "data/tokens.db");
  EXPECT_EQ(store::StoreUrl::parse("sqlite:///var/lib/oauth/tokens.db")->location, "/var/lib/oauth/tokens.db");
  auto pg = store::StoreUrl::parse("postgresql://oauth@db:5432/app?sslmode=require&schema=tenant_a").value();
  EXPECT_EQ(pg.kind, store::StoreKind::postgres);
  EXPECT_EQ(pg.location, "postgresql://oauth@db:5432/app?sslmode=require");
  EXPECT_EQ(pg.namespace_, "tenant_a");
  auto redis = store::StoreUrl::parse("redis://:secret@cache:6380/2?prefix=svc").value();
  EXPECT_EQ(redis.kind, store::StoreKind::redis);
  EXPECT_EQ(redis.location, "redis://:secret@cache:6380/2");
  EXPECT_EQ(redis.namespace_, "svc");
  auto options = store::RedisOptions::from_url(redis.location).value();
  EXPECT_EQ(options.host, "cache");
  EXPECT_EQ(options.port, 6380);
  EXPECT_EQ(options.password, "secret");
  EXPECT_EQ(options.database, 2);
  EXPECT_EQ(store::StoreUrl::parse("memory:")->kind, store::StoreKind::memory);
  for (auto bad : {"mysql://x", "sqlite:", "tokens.db", ""}) {
    auto parsed = store::StoreUrl::parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error(), Errc::invalid_argument);
  }
  EXPECT_FALSE(store::RedisOptions::from_url("redis://host:port"));
}

// Store URLs are RFC 3986 URIs, read by Boost.URL: what they encode is decoded, what they
// cannot mean is refused, with a reason.
TEST(StoreUrl, IsReadAsAUri) {
  EXPECT_EQ(store::StoreUrl::parse("sqlite:my%20tokens.db")->location, "my tokens.db");
  auto const pg = store::StoreUrl::parse("postgresql:///app?host=/run/postgresql&schema=a%2Db").value();
  EXPECT_EQ(pg.location, "postgresql:///app?host=/run/postgresql");
  EXPECT_EQ(pg.namespace_, "a-b");
  EXPECT_EQ(store::StoreUrl::parse("redis://cache?prefix=svc")->location, "redis://cache");
  auto const refused = [](std::string_view url, std::string_view reason) {
    auto parsed = store::StoreUrl::parse(url);
    ASSERT_FALSE(parsed) << url;
    EXPECT_EQ(parsed.error(), Errc::invalid_argument);
    EXPECT_NE(parsed.error().message().find(reason), std::string::npos) << parsed.error().message();
  };
  refused("sqlite:my tokens.db", "percent-encode");
  refused("sqlite://data/tokens.db", "not a host");
  refused("sqlite:tokens.db?mode=ro", "no parameters");
  refused("postgresql://db/app?schema=a&schema=b", "schema is given twice");
  refused("postgres://u@h/db?x#y&password=s", "no fragment");
  // Found by the fuzzer: Boost.URL 1.81 reads "h&:" as a host with an empty port and the
  // rest as a path without its '/', so a second password would pass for the path.
  refused("postgres://u:pw@h&:pw2@other/db", "not a URI");

  auto const redis = store::RedisOptions::from_url("redis://:p%40ss%3Aword@[::1]:6390").value();
  EXPECT_EQ(redis.password, "p@ss:word");
  EXPECT_EQ(redis.host, "::1");
  EXPECT_EQ(redis.port, 6390);
  EXPECT_EQ(redis.database, 0);
  for (auto bad : {"redis://user:pw@h", "redis://h:70000", "redis://h:", "redis://h/x", "redis://h/1/2",
                   "redis://h/1?db=2", "rediss://h", "redis:h"})
    EXPECT_FALSE(store::RedisOptions::from_url(bad)) << bad;
}

TEST(StoreUrl, RedactedHidesEveryPassword) {
  EXPECT_EQ(store::StoreUrl::parse("redis://:secret@cache:6380/2?prefix=svc")->redacted(),
            "redis://:[redacted]@cache:6380/2?prefix=svc");
  EXPECT_EQ(store::StoreUrl::parse("postgresql://oauth:p%40ss@db/app?password=x&sslmode=require&schema=a")->redacted(),
            "postgresql://oauth:[redacted]@db/app?password=[redacted]&sslmode=require&schema=a");
  EXPECT_EQ(store::StoreUrl::parse("postgresql://oauth@db:5432/app")->redacted(), "postgresql://oauth@db:5432/app");
  EXPECT_EQ(store::StoreUrl::parse("sqlite:data/tokens.db")->redacted(), "sqlite:data/tokens.db");
  EXPECT_EQ(store::StoreUrl::parse("memory:")->redacted(), "memory:");
  // Found by the fuzzer: "password=" was replaced wherever it stood, across the end of the
  // authority into the path, so that the path's text became the authority's.
  EXPECT_EQ(store::StoreUrl::parse("postgres://u:pw@password=or//x:y@z?password=s&a=b")->redacted(),
            "postgres://u:[redacted]@password=or//x:y@z?password=[redacted]&a=b");
  // libpq decodes a parameter's name: an encoded "password" is one too. (And libpq reads
  // no fragment, so a URL with one is refused: IsReadAsAUri.)
  EXPECT_EQ(store::StoreUrl::parse("postgres://u@h/db?pass%77ord=s&a")->redacted(),
            "postgres://u@h/db?password=[redacted]&a");
}

TEST(StoreUrl, OpenBackendOpensEachKind) {
  ScratchDirectory directory;
  auto sqlite = store::open_backend("sqlite:" + (directory.path() / "t.db").string());
  ASSERT_TRUE(sqlite) << sqlite.error().message();
  EXPECT_TRUE(std::filesystem::exists(directory.path() / "t.db"));
  EXPECT_TRUE(store::open_backend("memory:"));
  auto const& servers = TestServers::shared();
  EXPECT_TRUE(store::open_backend(servers.postgres_url() + "?schema=" + unique_name("u", '_')));
  EXPECT_TRUE(store::open_backend(servers.value("OAUTH_TEST_REDIS_URL") + "?prefix=" + unique_name("u", ':')));
  auto refused = store::open_backend("redis://127.0.0.1:1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), Errc::store_unavailable);
}

}  // namespace
}  // namespace oauth::test
