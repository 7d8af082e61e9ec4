#ifndef OAUTH_STORE_POSTGRES_HPP
#define OAUTH_STORE_POSTGRES_HPP

// Link with libpq (CMake: oauth::postgres).

#include <oauth/detail/store/postgres_connection.hpp>
#include <oauth/detail/store/read_access.hpp>
#include <oauth/detail/store/sql_backend.hpp>
#include <oauth/detail/store/store_port.hpp>
#include <oauth/store/postgres_options.hpp>
#include <oauth/store/token_store.hpp>

namespace oauth::store {

/// Tokens in PostgreSQL, shared by every instance of a service. Open with
/// PostgresBackend::open({.connection = "postgresql://..."}).
using PostgresBackend = oauth::detail::store::SqlBackend<oauth::detail::store::PostgresDriver>;

static_assert(StoreBackend<PostgresBackend>);
static_assert(oauth::detail::store::FindsAccess<PostgresBackend>);

}  // namespace oauth::store

#if defined(OAUTH_COMPILED_POSTGRES)
extern template class oauth::detail::store::ConnectionPool<oauth::detail::store::PostgresConnection>;
extern template class oauth::detail::store::SqlBackend<oauth::detail::store::PostgresDriver>;
extern template class oauth::TokenStore<oauth::store::PostgresBackend>;
extern template class oauth::detail::store::StoreAdapter<oauth::store::PostgresBackend>;
#endif

#endif
