#ifndef OAUTH_DETAIL_STORE_SQL_HPP
#define OAUTH_DETAIL_STORE_SQL_HPP

#include <oauth/error.hpp>
#include <oauth/store/unit_of_work.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace oauth::detail::store {

/// A statement's text, written once with `?` placeholders; drivers prepare it on first
/// use and keep it prepared per connection, keyed by where the text lives.
struct Statement {
  std::string_view sql;
};

/// A bound parameter: NULL, an integer or text.
using Value = std::variant<std::nullptr_t, std::int64_t, std::string_view>;

inline Value nullable(std::optional<std::string> const& text) {
  if (!text) return nullptr;
  return std::string_view(*text);
}

inline Value nullable(std::optional<std::int64_t> number) {
  if (!number) return nullptr;
  return *number;
}

/// Scopes as one column: OAuth scope names never hold a space (RFC 6749 section 3.3).
inline std::string join_scopes(std::vector<std::string> const& scopes) {
  std::string joined;
  for (auto const& scope : scopes) {
    if (!joined.empty()) joined += ' ';
    joined += scope;
  }
  return joined;
}

inline std::vector<std::string> split_scopes(std::string_view joined) {
  std::vector<std::string> scopes;
  while (!joined.empty()) {
    auto const space = joined.find(' ');
    if (space != 0) scopes.emplace_back(joined.substr(0, space));
    if (space == std::string_view::npos) break;
    joined.remove_prefix(space + 1);
  }
  return scopes;
}

using oauth::store::Durability;

/// What a driver's connection offers the SQL backend. `run` calls `on_row(row)` for each
/// row, where `row.text(i)`, `row.integer(i)` and `row.is_null(i)` read column i, and
/// returns the rows changed (or returned, for a query). Failures are typed:
/// store_unavailable when the database cannot be reached (the connection is then
/// `broken()` and not reused), store_conflict on a unique key, store_failure otherwise.
template <class C>
concept SqlConnection = requires(C& c, Statement const& s, std::span<Value const> params) {
  {
    c.run(s, params, [](auto const&) {})
    } -> std::same_as<Result<std::size_t>>;
  { c.execute_script(s.sql) } -> std::same_as<Result<void>>;
  { c.begin(Durability::full) } -> std::same_as<Result<void>>;
  { c.commit() } -> std::same_as<Result<void>>;
  { c.rollback() } -> std::same_as<void>;
  { c.broken() } -> std::same_as<bool>;
};

}  // namespace oauth::detail::store

#endif
