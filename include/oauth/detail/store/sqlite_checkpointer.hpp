#ifndef OAUTH_DETAIL_STORE_SQLITE_CHECKPOINTER_HPP
#define OAUTH_DETAIL_STORE_SQLITE_CHECKPOINTER_HPP

#include <oauth/store/sqlite_options.hpp>

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace oauth::detail::store {

/// Copies a database's WAL back into the database on a thread of its own. SQLite's own
/// checkpoint runs in the connection that commits, after its commit: with the copy and
/// its two fsyncs (tens of milliseconds) every transaction in line waited. Here a commit
/// that finds the WAL past `wal_checkpoint_pages` only asks, and this thread checkpoints
/// (PASSIVE: the writer goes on meanwhile). Under writes that never pause the WAL cannot
/// start again from its beginning (it does once every frame in it has been copied), so a
/// commit that finds it past `wal_limit_pages` checkpoints itself, as SQLite would, and
/// the WAL starts again from the next write.
///
/// One per database file, shared by every connection to it in the process (for_file).
class SqliteCheckpointer {
public:
  /// How many checkpoints ran, here and in committing connections.
  struct Counts {
    std::uint64_t in_background = 0;
    std::uint64_t in_commits = 0;
  };

  /// The checkpointer of `options.path`, started on first use; none for a database in
  /// memory, which has no WAL.
  static std::shared_ptr<SqliteCheckpointer> for_file(oauth::store::SqliteOptions const& options) {
    auto const& path = options.path;
    if (path.empty() || path == ":memory:" || path.find("mode=memory") != std::string::npos) return nullptr;
    auto& registry = SqliteCheckpointer::registry();
    std::lock_guard lock(registry.mutex);
    auto& slot = registry.files[path];
    auto checkpointer = slot.lock();
    if (!checkpointer) {
      checkpointer = std::shared_ptr<SqliteCheckpointer>(new SqliteCheckpointer(options));
      slot = checkpointer;
    }
    return checkpointer;
  }

  SqliteCheckpointer(SqliteCheckpointer const&) = delete;
  SqliteCheckpointer& operator=(SqliteCheckpointer const&) = delete;
  SqliteCheckpointer(SqliteCheckpointer&&) = delete;
  SqliteCheckpointer& operator=(SqliteCheckpointer&&) = delete;
  ~SqliteCheckpointer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wanted_or_stopping_.notify_one();
    thread_.join();
    if (db_ != nullptr) sqlite3_close_v2(db_);
    auto& registry = SqliteCheckpointer::registry();
    std::lock_guard lock(registry.mutex);
    auto found = registry.files.find(options_.path);
    if (found != registry.files.end() && found->second.expired()) registry.files.erase(found);
  }

  /// Makes `db`'s commits ask this thread for checkpoints instead of running them.
  void attach(sqlite3* db) {
    sqlite3_wal_autocheckpoint(db, 0);
    sqlite3_wal_hook(db, &after_commit, this);
  }

  Counts counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
  }

private:
  explicit SqliteCheckpointer(oauth::store::SqliteOptions const& options)
      : options_(options), thread_([this] { checkpoint_when_asked(); }) {}

  /// SQLite's WAL hook: called after each commit, the write lock released, with the
  /// pages now in the WAL.
  static int after_commit(void* self, sqlite3* db, char const* name, int pages) {
    auto& checkpointer = *static_cast<SqliteCheckpointer*>(self);
    auto const& options = checkpointer.options_;
    if (pages >= 0 && static_cast<std::size_t>(pages) >= options.wal_limit_pages) {
      if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) == SQLITE_OK) {
        std::lock_guard lock(checkpointer.mutex_);
        ++checkpointer.counts_.in_commits;
      }
    } else if (pages >= 0) {
      // Only the pages since the last checkpoint count (all of them once the WAL has
      // started again): asked at every commit, this thread would only ever run.
      auto const copied = checkpointer.copied_.load(std::memory_order_relaxed);
      auto const since = pages >= copied ? pages - copied : pages;
      if (static_cast<std::size_t>(since) >= options.wal_checkpoint_pages) checkpointer.ask();
    }
    return SQLITE_OK;
  }

  void ask() {
    {
      std::lock_guard lock(mutex_);
      if (wanted_) return;
      wanted_ = true;
    }
    wanted_or_stopping_.notify_one();
  }

  void checkpoint_when_asked() {
    std::unique_lock lock(mutex_);
    while (true) {
      wanted_or_stopping_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
      lock.unlock();
      bool const done = checkpoint();
      lock.lock();
      if (done) ++counts_.in_background;
    }
  }

  /// One PASSIVE checkpoint on this thread's own connection, opened on first use. A
  /// failure (busy: a commit's own checkpoint is under way) waits for the next request.
  bool checkpoint() {
    if (db_ == nullptr) {
      sqlite3* db = nullptr;
      if (sqlite3_open_v2(options_.path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
          SQLITE_OK) {
        sqlite3_close_v2(db);
        return false;
      }
      sqlite3_busy_timeout(db, static_cast<int>(options_.busy_timeout.count()));
      db_ = db;
      // A connection learns the file is in WAL mode, and opens the WAL, with its first read.
      if (sqlite3_exec(db_, "SELECT 1 FROM sqlite_master LIMIT 1", nullptr, nullptr, nullptr) != SQLITE_OK)
        return false;
    }
    int copied = 0;
    if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied) != SQLITE_OK) return false;
    copied_.store(copied, std::memory_order_relaxed);
    return true;
  }

  /// The checkpointers of the files open in the process. Never destroyed: a store that
  /// lives in a static outlasts any other static, and closes its files at exit.
  struct Registry {
    std::mutex mutex;
    std::map<std::string, std::weak_ptr<SqliteCheckpointer>> files;
  };
  static Registry& registry() {
    // One a process, left to its end on purpose:
    // NOLINTNEXTLINE(cppcoreguidelines-owning-memory,cppcoreguidelines-avoid-non-const-global-variables)
    static auto* const files = new Registry;
    return *files;
  }

  oauth::store::SqliteOptions const options_;
  mutable std::mutex mutex_;
  std::condition_variable wanted_or_stopping_;
  bool wanted_ = false;
  bool stopping_ = false;
  Counts counts_;
  std::atomic<int> copied_{0};  ///< pages of the WAL the last checkpoint here had copied back
  sqlite3* db_ = nullptr;       ///< this thread's connection
  std::thread thread_;          ///< last: it starts once the rest is ready
};

}  // namespace oauth::detail::store

#endif
