#ifndef OAUTH_STORE_OPEN_HPP
#define OAUTH_STORE_OPEN_HPP

// Link with every backend's library (CMake: oauth::stores).

#include <oauth/error.hpp>
#include <oauth/store/any.hpp>
#include <oauth/store/memory.hpp>
#include <oauth/store/postgres.hpp>
#include <oauth/store/redis.hpp>
#include <oauth/store/sqlite.hpp>
#include <oauth/store/url.hpp>

#include <string_view>

namespace oauth::store {

/// The backend a store URL names, opened (and its schema migrated).
inline Result<AnyBackend> open_backend(std::string_view url) {
  auto parsed = StoreUrl::parse(url);
  if (!parsed) return parsed.error();
  switch (parsed->kind) {
    case StoreKind::memory: return AnyBackend(MemoryBackend{});
    case StoreKind::sqlite: {
      auto backend = SqliteBackend::open({.path = parsed->location});
      if (!backend) return backend.error();
      return AnyBackend(std::move(*backend));
    }
    case StoreKind::postgres: {
      PostgresOptions options{.connection = parsed->location};
      if (!parsed->namespace_.empty()) options.schema = parsed->namespace_;
      auto backend = PostgresBackend::open(std::move(options));
      if (!backend) return backend.error();
      return AnyBackend(std::move(*backend));
    }
    case StoreKind::redis: {
      auto options = RedisOptions::from_url(parsed->location);
      if (!options) return options.error();
      if (!parsed->namespace_.empty()) options->prefix = parsed->namespace_;
      auto backend = RedisBackend::open(std::move(*options));
      if (!backend) return backend.error();
      return AnyBackend(std::move(*backend));
    }
  }
  return Error(Errc::invalid_argument, "store URL: unknown kind");
}

}  // namespace oauth::store

#endif
