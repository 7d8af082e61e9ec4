#ifndef OAUTH_OAUTH_HPP
#define OAUTH_OAUTH_HPP

// Everything but the database backends: include oauth/store/sqlite.hpp, postgres.hpp,
// redis.hpp or open.hpp for the one you use, and link its CMake target.

#include <oauth/api.hpp>
#include <oauth/clock.hpp>
#include <oauth/completion_token.hpp>
#include <oauth/crypto.hpp>
#include <oauth/error.hpp>
#include <oauth/http.hpp>
#include <oauth/json_fields.hpp>
#include <oauth/manager.hpp>
#include <oauth/protocol.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_options.hpp>
#include <oauth/providers.hpp>
#include <oauth/rate_spacing.hpp>
#include <oauth/runtime.hpp>
#include <oauth/scope.hpp>
#include <oauth/scope_catalogue.hpp>
#include <oauth/secret.hpp>
#include <oauth/store.hpp>
#include <oauth/user_facing_error.hpp>
#include <oauth/user_info.hpp>
#include <oauth/version.hpp>

#endif
