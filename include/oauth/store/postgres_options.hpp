#ifndef OAUTH_STORE_POSTGRES_OPTIONS_HPP
#define OAUTH_STORE_POSTGRES_OPTIONS_HPP

#include <chrono>
#include <cstddef>
#include <string>

namespace oauth::store {

struct PostgresOptions {
  /// A libpq connection string or URI: "postgresql://oauth@db.internal:5432/oauth".
  std::string connection;
  /// The schema that holds the tables, made when missing: one per application or
  /// environment sharing a database.
  std::string schema = "oauth";
  std::size_t max_connections = 8;
  std::chrono::seconds connect_timeout{5};
  /// No statement runs longer: a stuck database gives store_unavailable, not a hang.
  std::chrono::milliseconds statement_timeout{10'000};
};

}  // namespace oauth::store

#endif
