#ifndef OAUTH_DETAIL_STORE_SQLITE_CONNECTION_HPP
#define OAUTH_DETAIL_STORE_SQLITE_CONNECTION_HPP

#include <oauth/detail/encoding/printable.hpp>
#include <oauth/detail/os/private_file.hpp>
#include <oauth/detail/store/sql.hpp>
#include <oauth/detail/store/sql_backend.hpp>
#include <oauth/detail/store/sqlite_checkpointer.hpp>
#include <oauth/error.hpp>
#include <oauth/store/sqlite_options.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>

namespace oauth::detail::store {

/// One connection to the file, used by one thread at a time (the pool sees to that),
/// with its statements prepared once.
class SqliteConnection {
public:
  static Result<std::unique_ptr<SqliteConnection>> open(oauth::store::SqliteOptions const& options) {
    // A new file is its owner's alone (SQLite gives its journal the same mode): tokens are
    // encrypted in it, but who is connected to what is nobody else's business.
    if (options.path != ":memory:" && !options.path.starts_with("file:"))
      oauth::detail::os::create_private_file(options.path);
    sqlite3* db = nullptr;
    int const flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int const rc = sqlite3_open_v2(options.path.c_str(), &db, flags, nullptr);
    bool const synced = options.durability == oauth::store::SqliteDurability::full;
    std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db, synced));
    if (rc != SQLITE_OK)
      return Error(
          Errc::store_unavailable,
          "cannot open SQLite database " + oauth::detail::encoding::printable_line(options.path) + ": " +
              oauth::detail::encoding::printable_line(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
    // WAL lets readers run beside a writer; FULL syncs every commit, so a stored token pair
    // survives a power cut, not only a crash; foreign keys keep tokens with their integration.
    auto configured = connection->execute_script(
        std::string("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = ") +
        (synced ? "FULL" : "NORMAL") + "; PRAGMA mmap_size = " + std::to_string(options.mmap_bytes) +
        "; PRAGMA cache_size = -" + std::to_string(options.cache_bytes / 1024) + ";");
    if (!configured) return configured.error();
    connection->checkpointer_ = SqliteCheckpointer::for_file(options);
    if (connection->checkpointer_) connection->checkpointer_->attach(db);
    return connection;
  }

  SqliteConnection(SqliteConnection const&) = delete;
  SqliteConnection& operator=(SqliteConnection const&) = delete;
  SqliteConnection(SqliteConnection&&) = delete;
  SqliteConnection& operator=(SqliteConnection&&) = delete;
  ~SqliteConnection() {
    for (auto& [text, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close_v2(db_);
  }

  class Row {
  public:
    explicit Row(sqlite3_stmt* statement) : statement_(statement) {}
    bool is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
    std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
    std::string_view text(int column) const {
      auto const* data = reinterpret_cast<char const*>(sqlite3_column_text(statement_, column));
      if (data == nullptr) return {};
      return {data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
    }

  private:
    sqlite3_stmt* statement_;
  };

  template <class OnRow>
  Result<std::size_t> run(oauth::detail::store::Statement const& sql,
                          std::span<oauth::detail::store::Value const> params, OnRow&& on_row) {
    auto prepared = prepare(sql.sql);
    if (!prepared) return prepared.error();
    sqlite3_stmt* statement = *prepared;
    struct Reset {
      sqlite3_stmt* s;
      explicit Reset(sqlite3_stmt* statement) noexcept : s(statement) {}
      Reset(Reset const&) = delete;
      Reset& operator=(Reset const&) = delete;
      Reset(Reset&&) = delete;
      Reset& operator=(Reset&&) = delete;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{statement};
    for (std::size_t i = 0; i < params.size(); ++i) {
      int const index = static_cast<int>(i + 1);
      int const rc = std::visit(
          [&](auto const& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::nullptr_t>)
              return sqlite3_bind_null(statement, index);
            else if constexpr (std::is_same_v<V, std::int64_t>)
              return sqlite3_bind_int64(statement, index, v);
            else
              return sqlite3_bind_text(statement, index, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
          },
          params[i]);
      if (rc != SQLITE_OK) return failure(rc);
    }
    std::size_t rows = 0;
    while (true) {
      int const rc = sqlite3_step(statement);
      if (rc == SQLITE_ROW) {
        ++rows;
        on_row(Row(statement));
        continue;
      }
      if (rc != SQLITE_DONE) return failure(rc);
      break;
    }
    if (sqlite3_stmt_readonly(statement) != 0) return rows;
    return static_cast<std::size_t>(sqlite3_changes(db_));
  }

  Result<void> execute_script(std::string_view script) {
    std::string const text(script);
    int const rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return failure(rc);
    return {};
  }

  /// One statement with no parameters (BEGIN, COMMIT, a PRAGMA), compiled once: a
  /// transaction's own statements are not parsed again for every transaction.
  Result<void> execute_statement(char const* sql) {
    auto statement = prepare(sql);
    if (!statement) return statement.error();
    while (true) {
      int const rc = sqlite3_step(*statement);
      if (rc == SQLITE_ROW) continue;
      Result<void> outcome = rc == SQLITE_DONE ? Result<void>() : Result<void>(failure(rc));
      sqlite3_reset(*statement);
      return outcome;
    }
  }

  /// A relaxed transaction on a connection that syncs every commit skips the sync of its
  /// own (synchronous=NORMAL until it ends); the next full commit syncs what it wrote.
  Result<void> begin(Durability durability) {
    relaxed_ = durability == Durability::relaxed && synced_;
    if (relaxed_)
      if (auto relaxed = execute_statement("PRAGMA synchronous = NORMAL"); !relaxed) return relaxed;
    return execute_statement("BEGIN IMMEDIATE");
  }
  Result<void> commit() {
    auto committed = execute_statement("COMMIT");
    resync();
    return committed;
  }
  void rollback() {
    if (sqlite3_get_autocommit(db_) == 0) (void)execute_statement("ROLLBACK");
    resync();
  }
  bool broken() const noexcept { return broken_; }

private:
  explicit SqliteConnection(sqlite3* db, bool synced) : db_(db), synced_(synced) {}

  void resync() {
    if (!relaxed_) return;
    relaxed_ = false;
    (void)execute_statement("PRAGMA synchronous = FULL");
  }

  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    auto found = statements_.find(sql.data());
    if (found != statements_.end()) return found->second;
    sqlite3_stmt* statement = nullptr;
    int const rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &statement, nullptr);
    if (rc != SQLITE_OK) return failure(rc);
    statements_.emplace(sql.data(), statement);
    return statement;
  }

  Error failure(int rc) {
    if (int const extended = sqlite3_extended_errcode(db_); (extended & 0xff) == (rc & 0xff)) rc = extended;
    int const primary = rc & 0xff;
    // The message can quote the file (a schema someone wrote into it): one printable line.
    std::string message = "SQLite: " + oauth::detail::encoding::printable_line(sqlite3_errmsg(db_));
    switch (primary) {
      case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
          return Error(Errc::store_conflict, std::move(message));
        return Error(Errc::store_failure, std::move(message));
      case SQLITE_BUSY:
      case SQLITE_LOCKED: return Error(Errc::store_unavailable, std::move(message));
      case SQLITE_IOERR:
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
      case SQLITE_CANTOPEN:
      case SQLITE_FULL: broken_ = true; return Error(Errc::store_unavailable, std::move(message));
      default: return Error(Errc::store_failure, std::move(message));
    }
  }

  sqlite3* db_;
  bool synced_;           ///< every commit syncs (SqliteDurability::full)
  bool relaxed_ = false;  ///< this transaction does not
  std::unordered_map<char const*, sqlite3_stmt*> statements_;
  bool broken_ = false;
  std::shared_ptr<SqliteCheckpointer> checkpointer_;  ///< released once the connection is closed
};

struct SqliteDriver {
  using Options = oauth::store::SqliteOptions;
  using Connection = SqliteConnection;
  static constexpr std::string_view bigint = "INTEGER";
  static constexpr std::string_view serial_key = "INTEGER PRIMARY KEY AUTOINCREMENT";
  /// One machine's store: rate slots stay in the process, where they cost no write.
  static constexpr std::string_view unlogged = "";
  static constexpr bool shares_rate_slots = false;

  /// Nothing to do: BEGIN IMMEDIATE already keeps other processes' migrations out.
  static Result<void> before_migration(Connection&, Options const&) { return {}; }

  static Result<std::unique_ptr<Connection>> connect(Options const& options) { return Connection::open(options); }
  static std::size_t pool_size(Options const& options) { return options.max_connections; }
  /// SQLite has one writer at a time: one transaction, with everything waiting in it.
  static std::size_t commit_lanes(Options const&) { return 1; }
};

static_assert(oauth::detail::store::SqlConnection<SqliteConnection>);

}  // namespace oauth::detail::store

#endif
