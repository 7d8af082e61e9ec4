#ifndef OAUTH_TESTS_STORE_BACKENDS_HPP
#define OAUTH_TESTS_STORE_BACKENDS_HPP

// Every backend the conformance suite runs over, each made fresh for one test: memory,
// SQLite in a new file, and the real PostgreSQL and Redis servers that
// tests/support/db_servers.sh started (a schema or key prefix of its own per test).

#include "support/files.hpp"

#include <oauth/store/memory.hpp>
#include <oauth/store/postgres.hpp>
#include <oauth/store/redis.hpp>
#include <oauth/store/sqlite.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace oauth::test {

/// A directory of its own for this test, removed afterwards.
class ScratchDirectory {
public:
  ScratchDirectory() {
    static std::atomic<int> counter{0};
    auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("oauth-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             (info != nullptr ? std::string(info->name()).substr(0, 40) : std::string("setup")));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(ScratchDirectory const&) = delete;
  ScratchDirectory& operator=(ScratchDirectory const&) = delete;
  std::filesystem::path const& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

/// Where db_servers.sh started its servers: the KEY=VALUE lines of its servers.env.
class TestServers {
public:
  explicit TestServers(std::filesystem::path env_file) : env_file_(std::move(env_file)) {
    std::ifstream in(env_file_);
    if (!in)
      throw std::runtime_error("no " + env_file_.string() +
                               ": the store tests need the servers of tests/support/db_servers.sh (ctest starts them)");
    for (std::string line; std::getline(in, line);)
      if (auto eq = line.find('='); eq != std::string::npos) values_[line.substr(0, eq)] = line.substr(eq + 1);
  }

  /// The servers ctest started for the whole run.
  static TestServers const& shared() {
    static TestServers const servers([] {
      char const* file = std::getenv("OAUTH_DB_SERVERS");
      if (file == nullptr) throw std::runtime_error("OAUTH_DB_SERVERS is not set: run the store tests with ctest");
      return std::filesystem::path(file);
    }());
    return servers;
  }

  std::string const& value(std::string const& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw std::runtime_error(name + " missing from " + env_file_.string());
    return it->second;
  }
  std::string const& postgres_url() const { return value("OAUTH_TEST_POSTGRES_URL"); }
  store::RedisOptions redis_options() const {
    return store::RedisOptions::from_url(value("OAUTH_TEST_REDIS_URL")).value();
  }

private:
  std::filesystem::path env_file_;
  std::map<std::string, std::string> values_;
};

/// PostgreSQL and Redis servers of this test's own (the shared ones keep serving the
/// others), stopped and started again by tests/support/db_servers.sh.
class PrivateServers {
public:
  PrivateServers() { script("start"); }
  ~PrivateServers() { script("stop"); }
  PrivateServers(PrivateServers const&) = delete;
  PrivateServers& operator=(PrivateServers const&) = delete;

  void script(std::string const& command) const {
    int status = 0;
    auto const output = test::run_command(
        std::string(OAUTH_TEST_DB_SERVERS_SCRIPT) + " " + command + " " + directory_.path().string() + " 2>&1", status);
    if (status != 0) throw std::runtime_error("db_servers.sh " + command + ": " + output);
  }
  TestServers servers() const { return TestServers(directory_.path() / "servers.env"); }

private:
  ScratchDirectory directory_;
};

inline std::string unique_name(std::string_view prefix, char separator) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + separator + std::to_string(::getpid()) + separator + std::to_string(counter++);
}

struct MemoryStore {
  using Backend = store::MemoryBackend;
  static constexpr char const* name = "memory";
  Result<Backend> open() { return data; }
  /// Another connection to the same data, as a second process would have.
  Result<Backend> open_again() { return data; }
  Backend data;
};

struct SqliteStore {
  using Backend = store::SqliteBackend;
  static constexpr char const* name = "sqlite";
  ScratchDirectory directory;
  std::string path() const { return (directory.path() / "tokens.db").string(); }
  Result<Backend> open() { return Backend::open({.path = path()}); }
  std::string url() const { return "sqlite:" + path(); }
  /// How many rows `table` holds.
  std::size_t rows(std::string const& table) const {
    sqlite3* db = nullptr;
    sqlite3_open(path().c_str(), &db);
    std::size_t count = 0;
    sqlite3_exec(
        db, ("SELECT count(*) FROM " + table).c_str(),
        [](void* out, int, char** values, char**) {
          *static_cast<std::size_t*>(out) = std::stoul(values[0]);
          return 0;
        },
        &count, nullptr);
    sqlite3_close(db);
    return count;
  }
  /// As if a newer version of the library had migrated the file.
  void set_schema_version(int version) const {
    sqlite3* db = nullptr;
    sqlite3_open(path().c_str(), &db);
    sqlite3_exec(db, ("UPDATE schema_version SET version = " + std::to_string(version)).c_str(), nullptr, nullptr,
                 nullptr);
    sqlite3_close(db);
  }
  /// As if the file had been written by the version before cached resources (schema 1).
  void downgrade_to_first_schema() const {
    sqlite3* db = nullptr;
    sqlite3_open(path().c_str(), &db);
    sqlite3_exec(db, "DROP TABLE cached_resources; DROP TABLE rate_slots; UPDATE schema_version SET version = 1",
                 nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  Result<Backend> open_again() { return open(); }
};

/// A schema of its own in the shared server, dropped afterwards.
struct PostgresStore {
  using Backend = store::PostgresBackend;
  static constexpr char const* name = "postgres";
  std::string schema = unique_name("t", '_');
  store::PostgresOptions options() const {
    return {.connection = TestServers::shared().postgres_url(), .schema = schema, .max_connections = 4};
  }
  Result<Backend> open() { return Backend::open(options()); }
  Result<Backend> open_again() { return open(); }
  std::string url() const { return TestServers::shared().postgres_url() + "?schema=" + schema; }
  void set_schema_version(int version) const {
    PGconn* conn = PQconnectdb(TestServers::shared().postgres_url().c_str());
    PQclear(PQexec(conn, ("UPDATE " + schema + ".schema_version SET version = " + std::to_string(version)).c_str()));
    PQfinish(conn);
  }
  void downgrade_to_first_schema() const {
    PGconn* conn = PQconnectdb(TestServers::shared().postgres_url().c_str());
    PQclear(PQexec(conn, ("DROP TABLE " + schema + ".cached_resources; DROP TABLE " + schema + ".rate_slots; UPDATE " +
                          schema + ".schema_version SET version = 1")
                             .c_str()));
    PQfinish(conn);
  }
  /// How many rows `table` holds.
  std::size_t rows(std::string const& table) const {
    PGconn* conn = PQconnectdb(TestServers::shared().postgres_url().c_str());
    PGresult* result = PQexec(conn, ("SELECT count(*) FROM " + schema + "." + table).c_str());
    std::size_t const count = PQresultStatus(result) == PGRES_TUPLES_OK ? std::stoul(PQgetvalue(result, 0, 0)) : 0;
    PQclear(result);
    PQfinish(conn);
    return count;
  }
  /// How many rate buckets the store keeps.
  std::size_t rate_buckets() const { return rows("rate_slots"); }
  PostgresStore() = default;
  PostgresStore(PostgresStore const&) = delete;
  ~PostgresStore() {
    if (PGconn* conn = PQconnectdb(TestServers::shared().postgres_url().c_str())) {
      PQclear(PQexec(conn, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
      PQfinish(conn);
    }
  }
};

/// A key prefix of its own in the shared server, its keys deleted afterwards.
struct RedisStore {
  using Backend = store::RedisBackend;
  static constexpr char const* name = "redis";
  std::string prefix = unique_name("t", ':');
  store::RedisOptions options() const {
    auto o = TestServers::shared().redis_options();
    o.prefix = prefix;
    o.max_connections = 4;
    return o;
  }
  Result<Backend> open() { return Backend::open(options()); }
  Result<Backend> open_again() { return open(); }
  std::string url() const { return TestServers::shared().value("OAUTH_TEST_REDIS_URL") + "?prefix=" + prefix; }
  void set_schema_version(int version) const {
    auto o = options();
    redisContext* c = redisConnect(o.host.c_str(), o.port);
    freeReplyObject(redisCommand(c, "SET %s %d", (prefix + ":schema_version").c_str(), version));
    redisFree(c);
  }
  std::size_t rate_buckets() const {
    auto o = options();
    redisContext* c = redisConnect(o.host.c_str(), o.port);
    auto* reply = static_cast<redisReply*>(redisCommand(c, "KEYS %s", (prefix + ":rate:*").c_str()));
    std::size_t const count = reply != nullptr && reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
    freeReplyObject(reply);
    redisFree(c);
    return count;
  }
  RedisStore() = default;
  RedisStore(RedisStore const&) = delete;
  ~RedisStore() {
    auto o = options();
    if (redisContext* c = redisConnect(o.host.c_str(), o.port)) {
      auto const pattern = prefix + ":*";
      freeReplyObject(redisCommand(c, "EVAL %s 0 %s",
                                   "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end",
                                   pattern.c_str()));
      redisFree(c);
    }
  }
};

}  // namespace oauth::test

#endif
