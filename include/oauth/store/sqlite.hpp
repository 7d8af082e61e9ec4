#ifndef OAUTH_STORE_SQLITE_HPP
#define OAUTH_STORE_SQLITE_HPP

// Link with SQLite (CMake: oauth::sqlite).

#include <oauth/detail/store/read_access.hpp>
#include <oauth/detail/store/sql_backend.hpp>
#include <oauth/detail/store/sqlite_connection.hpp>
#include <oauth/detail/store/store_port.hpp>
#include <oauth/store/sqlite_options.hpp>
#include <oauth/store/token_store.hpp>

namespace oauth::store {

/// The embedded default: one file, shared safely by every thread and process that opens
/// it. Open with SqliteBackend::open({.path = "tokens.db"}).
using SqliteBackend = oauth::detail::store::SqlBackend<oauth::detail::store::SqliteDriver>;

static_assert(StoreBackend<SqliteBackend>);
static_assert(oauth::detail::store::FindsAccess<SqliteBackend>);

}  // namespace oauth::store

#if defined(OAUTH_COMPILED_SQLITE)
extern template class oauth::detail::store::ConnectionPool<oauth::detail::store::SqliteConnection>;
extern template class oauth::detail::store::SqlBackend<oauth::detail::store::SqliteDriver>;
extern template class oauth::TokenStore<oauth::store::SqliteBackend>;
extern template class oauth::detail::store::StoreAdapter<oauth::store::SqliteBackend>;
#endif

#endif
