#ifndef OAUTH_IMPL_STORE_POSTGRES_IPP
#define OAUTH_IMPL_STORE_POSTGRES_IPP

// The token store over PostgresBackend, instantiated once for the compiled mode, which
// <oauth/store/postgres.hpp> declares extern under OAUTH_COMPILED_POSTGRES;
// oauth::compiled compiles it when the package has the postgres component.

#include <oauth/store/postgres.hpp>

template class oauth::detail::store::ConnectionPool<oauth::detail::store::PostgresConnection>;
template class oauth::detail::store::SqlBackend<oauth::detail::store::PostgresDriver>;
template class oauth::TokenStore<oauth::store::PostgresBackend>;
template class oauth::detail::store::StoreAdapter<oauth::store::PostgresBackend>;

#endif
