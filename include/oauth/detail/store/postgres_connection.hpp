#ifndef OAUTH_DETAIL_STORE_POSTGRES_CONNECTION_HPP
#define OAUTH_DETAIL_STORE_POSTGRES_CONNECTION_HPP

#include <oauth/detail/encoding/printable.hpp>
#include <oauth/detail/store/sql.hpp>
#include <oauth/detail/store/sql_backend.hpp>
#include <oauth/error.hpp>
#include <oauth/store/postgres_options.hpp>

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>
#include <vector>

namespace oauth::detail::store {

/// One libpq connection, used by one thread at a time, with its statements prepared once.
class PostgresConnection {
public:
  static Result<std::unique_ptr<PostgresConnection>> open(oauth::store::PostgresOptions const& options) {
    if (options.schema.empty() || !std::all_of(options.schema.begin(), options.schema.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        }))
      return Error(Errc::invalid_argument, "PostgreSQL schema name must be lower-case letters, digits and _");
    auto const timeout = std::to_string(options.connect_timeout.count());
    char const* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
    char const* values[] = {options.connection.c_str(), timeout.c_str(), "oauth-token-store", nullptr};
    std::unique_ptr<PostgresConnection> connection(new PostgresConnection(PQconnectdbParams(keys, values, 1)));
    if (connection->conn_ == nullptr || PQstatus(connection->conn_) != CONNECTION_OK)
      return Error(Errc::store_unavailable, "cannot connect to PostgreSQL: " + connection->connection_message());
    // libpq prints the server's notices ("schema ... already exists, skipping") to the
    // program's stderr; a library keeps out of its host's output.
    PQsetNoticeProcessor(
        connection->conn_, [](void*, char const*) {}, nullptr);
    auto configured = connection->execute_script("SET search_path TO " + options.schema + "; SET statement_timeout = " +
                                                 std::to_string(options.statement_timeout.count()));
    if (!configured) return configured.error();
    return connection;
  }

  PostgresConnection(PostgresConnection const&) = delete;
  PostgresConnection& operator=(PostgresConnection const&) = delete;
  PostgresConnection(PostgresConnection&&) = delete;
  PostgresConnection& operator=(PostgresConnection&&) = delete;
  ~PostgresConnection() {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  class Row {
  public:
    Row(PGresult const* result, int row) : result_(result), row_(row) {}
    bool is_null(int column) const { return PQgetisnull(result_, row_, column) != 0; }
    std::string_view text(int column) const {
      return {PQgetvalue(result_, row_, column), static_cast<std::size_t>(PQgetlength(result_, row_, column))};
    }
    std::int64_t integer(int column) const {
      auto const value = text(column);
      std::int64_t number = 0;
      std::from_chars(value.data(), value.data() + value.size(), number);
      return number;
    }

  private:
    PGresult const* result_;
    int row_;
  };

  template <class OnRow>
  Result<std::size_t> run(oauth::detail::store::Statement const& sql,
                          std::span<oauth::detail::store::Value const> params, OnRow&& on_row) {
    auto name = prepare(sql.sql);
    if (!name) return name.error();
    std::vector<std::string> texts(params.size());
    std::vector<char const*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::visit(
          [&](auto const& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::int64_t>)
              texts[i] = std::to_string(v);
            else if constexpr (std::is_same_v<V, std::string_view>)
              texts[i] = v;
            if constexpr (!std::is_same_v<V, std::nullptr_t>) values[i] = texts[i].c_str();
          },
          params[i]);
    }
    PgResult result(
        PQexecPrepared(conn_, name->c_str(), static_cast<int>(params.size()), values.data(), nullptr, nullptr, 0));
    auto const status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(result.get());
    int const rows = PQntuples(result.get());
    for (int row = 0; row < rows; ++row) on_row(Row(result.get(), row));
    std::string_view const affected = PQcmdTuples(result.get());
    if (affected.empty()) return static_cast<std::size_t>(rows);
    std::size_t count = 0;
    std::from_chars(affected.data(), affected.data() + affected.size(), count);
    return count;
  }

  Result<void> execute_script(std::string_view script) {
    std::string const text(script);
    PgResult result(PQexec(conn_, text.c_str()));
    auto const status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(result.get());
    return {};
  }

  Result<void> begin(Durability durability) {
    return execute_script(durability == Durability::relaxed ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN");
  }
  Result<void> commit() { return execute_script("COMMIT"); }
  void rollback() {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)execute_script("ROLLBACK");
  }
  /// One statement with no parameters (a savepoint): a simple query, as a script is.
  Result<void> execute_statement(char const* sql) { return execute_script(sql); }
  bool broken() const noexcept { return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK; }

private:
  struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
  };
  using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}

  Result<std::string> prepare(std::string_view sql) {
    auto found = statements_.find(sql.data());
    if (found != statements_.end()) return found->second;
    // Written with ?; PostgreSQL numbers its parameters.
    std::string text;
    int number = 0;
    for (char c : sql) {
      if (c == '?')
        text += "$" + std::to_string(++number);
      else
        text += c;
    }
    auto name = "oauth_" + std::to_string(statements_.size());
    PgResult result(PQprepare(conn_, name.c_str(), text.c_str(), number, nullptr));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) return failure(result.get());
    statements_.emplace(sql.data(), name);
    return name;
  }

  std::string connection_message() const {
    return conn_ != nullptr ? oauth::detail::encoding::printable_line(PQerrorMessage(conn_)) : "out of memory";
  }

  /// The primary message and SQLSTATE only: the detail field can quote the values bound.
  Error failure(PGresult const* result) {
    if (broken()) return Error(Errc::store_unavailable, "PostgreSQL connection lost: " + connection_message());
    char const* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    char const* primary = result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string const sqlstate = state != nullptr ? state : "";
    auto message = "PostgreSQL " + sqlstate + ": " +
                   (primary != nullptr ? oauth::detail::encoding::printable_line(primary) : connection_message());
    if (sqlstate == "23505") return Error(Errc::store_conflict, std::move(message));
    // Connection exceptions, shutdowns, statement timeouts, serialization failures and
    // deadlocks: all pass, and nothing was written.
    if (sqlstate.starts_with("08") || sqlstate.starts_with("57") || sqlstate == "40001" || sqlstate == "40P01" ||
        sqlstate.starts_with("53"))
      return Error(Errc::store_unavailable, std::move(message));
    return Error(Errc::store_failure, std::move(message));
  }

  PGconn* conn_;
  std::unordered_map<char const*, std::string> statements_;
};

struct PostgresDriver {
  using Options = oauth::store::PostgresOptions;
  using Connection = PostgresConnection;
  static constexpr std::string_view bigint = "BIGINT";
  static constexpr std::string_view serial_key = "BIGSERIAL PRIMARY KEY";
  /// Rate slots are kept for every instance, in a table whose writes wait for no fsync.
  static constexpr std::string_view unlogged = "UNLOGGED";
  static constexpr bool shares_rate_slots = true;

  static Result<std::unique_ptr<Connection>> connect(Options const& options) { return Connection::open(options); }
  static std::size_t pool_size(Options const& options) { return options.max_connections; }
  /// Half the connections write at once, leaving the others to readers.
  static std::size_t commit_lanes(Options const& options) {
    return std::max<std::size_t>(1, options.max_connections / 2);
  }

  /// One process migrates at a time, whichever instance starts first.
  static Result<void> before_migration(Connection& c, Options const& options) {
    return c.execute_script("SELECT pg_advisory_xact_lock(80020001); CREATE SCHEMA IF NOT EXISTS " + options.schema);
  }
};

static_assert(oauth::detail::store::SqlConnection<PostgresConnection>);

}  // namespace oauth::detail::store

#endif
