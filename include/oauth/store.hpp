#ifndef OAUTH_STORE_HPP
#define OAUTH_STORE_HPP

// The token store, its records, key rotation, and the backends that need no database
// library. Each database's backend is included alone, with its CMake target linked:
// oauth/store/sqlite.hpp (oauth::sqlite), postgres.hpp (oauth::postgres), redis.hpp
// (oauth::redis), or open.hpp for a backend picked from a URL (oauth::stores).

#include <oauth/store/any.hpp>
#include <oauth/store/key_rotation.hpp>
#include <oauth/store/memory.hpp>
#include <oauth/store/postgres_options.hpp>
#include <oauth/store/rate_slots.hpp>
#include <oauth/store/record_json.hpp>
#include <oauth/store/records.hpp>
#include <oauth/store/scope_records.hpp>
#include <oauth/store/sqlite_options.hpp>
#include <oauth/store/token_store.hpp>
#include <oauth/store/url.hpp>

#endif
