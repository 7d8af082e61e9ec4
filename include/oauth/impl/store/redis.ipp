#ifndef OAUTH_IMPL_STORE_REDIS_IPP
#define OAUTH_IMPL_STORE_REDIS_IPP

// The token store over RedisBackend, instantiated once for the compiled mode, which
// <oauth/store/redis.hpp> declares extern under OAUTH_COMPILED_REDIS; oauth::compiled
// compiles it when the package has the redis component.

#include <oauth/store/redis.hpp>

template class oauth::detail::store::ConnectionPool<oauth::detail::store::RedisConnection>;
template class oauth::TokenStore<oauth::store::RedisBackend>;
template class oauth::detail::store::StoreAdapter<oauth::store::RedisBackend>;

#endif
