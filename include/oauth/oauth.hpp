#ifndef OAUTH_OAUTH_HPP
#define OAUTH_OAUTH_HPP

// Everything but the database backends: include oauth/store/sqlite.hpp, postgres.hpp,
// redis.hpp or open.hpp for the one you use, and link its CMake target.

#include <oauth/api/client.hpp>
#include <oauth/api/request.hpp>
#include <oauth/protocol/authorization_response.hpp>
#include <oauth/protocol/authorization_url.hpp>
#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/fernet.hpp>
#include <oauth/crypto/keyring.hpp>
#include <oauth/crypto/pkce.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/crypto/state.hpp>
#include <oauth/protocol/endpoint_request.hpp>
#include <oauth/error.hpp>
#include <oauth/manager/flow.hpp>
#include <oauth/http/message.hpp>
#include <oauth/http/https_transport.hpp>
#include <oauth/manager/integration.hpp>
#include <oauth/store/key_rotation.hpp>
#include <oauth/manager.hpp>
#include <oauth/manager/options.hpp>
#include <oauth/api/pagination.hpp>
#include <oauth/provider.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/providers/all.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/notion/databases.hpp>
#include <oauth/providers/youtube.hpp>
#include <oauth/store/record_json.hpp>
#include <oauth/store/records.hpp>
#include <oauth/runtime.hpp>
#include <oauth/scope.hpp>
#include <oauth/scope_catalogue.hpp>
#include <oauth/secret.hpp>
#include <oauth/store/any.hpp>
#include <oauth/store/memory.hpp>
#include <oauth/store/url.hpp>
#include <oauth/protocol/token_response.hpp>
#include <oauth/store/token_store.hpp>
#include <oauth/http/transport.hpp>
#include <oauth/user_facing_error.hpp>
#include <oauth/user_info.hpp>
#include <oauth/version.hpp>

#endif
