#ifndef OAUTH_TESTS_STORE_BACKENDS_HPP
#define OAUTH_TESTS_STORE_BACKENDS_HPP

// Every backend the conformance suite runs over, each made fresh for one test: memory,
// SQLite in a new file, and the real PostgreSQL and Redis servers that
// tests/support/db_servers.sh started (a schema or key prefix of its own per test).

#include <oauth/store/memory.hpp>
#include <oauth/store/sqlite.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <unistd.h>

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
  Result<Backend> open_again() { return open(); }
};

}  // namespace oauth::test

#endif
