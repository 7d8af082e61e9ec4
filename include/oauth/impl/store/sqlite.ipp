#ifndef OAUTH_IMPL_STORE_SQLITE_IPP
#define OAUTH_IMPL_STORE_SQLITE_IPP

// The token store over SqliteBackend, instantiated once for the compiled mode, which
// <oauth/store/sqlite.hpp> declares extern under OAUTH_COMPILED_SQLITE; oauth::compiled
// compiles it when the package has the sqlite component.

#include <oauth/store/sqlite.hpp>

template class oauth::detail::store::ConnectionPool<oauth::detail::store::SqliteConnection>;
template class oauth::detail::store::SqlBackend<oauth::detail::store::SqliteDriver>;
template class oauth::TokenStore<oauth::store::SqliteBackend>;
template class oauth::detail::store::StoreAdapter<oauth::store::SqliteBackend>;

#endif
