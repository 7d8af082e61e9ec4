#ifndef OAUTH_OAUTH_HPP
#define OAUTH_OAUTH_HPP

// Everything but the database backends: include oauth/store/sqlite.hpp, postgres.hpp,
// redis.hpp or open.hpp for the one you use, and link its CMake target.

#include <oauth/api_client.hpp>
#include <oauth/api_request.hpp>
#include <oauth/authorization_response.hpp>
#include <oauth/authorization_url.hpp>
#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/fernet.hpp>
#include <oauth/crypto/keyring.hpp>
#include <oauth/crypto/pkce.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/crypto/state.hpp>
#include <oauth/endpoint_request.hpp>
#include <oauth/error.hpp>
#include <oauth/flow.hpp>
#include <oauth/http_message.hpp>
#include <oauth/https_transport.hpp>
#include <oauth/integration.hpp>
#include <oauth/key_rotation.hpp>
#include <oauth/manager.hpp>
#include <oauth/manager_options.hpp>
#include <oauth/pagination.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_error.hpp>
#include <oauth/providers/all.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/notion_databases.hpp>
#include <oauth/providers/youtube.hpp>
#include <oauth/record_json.hpp>
#include <oauth/records.hpp>
#include <oauth/runtime.hpp>
#include <oauth/scope.hpp>
#include <oauth/scope_catalogue.hpp>
#include <oauth/secret.hpp>
#include <oauth/store/any.hpp>
#include <oauth/store/memory.hpp>
#include <oauth/store/url.hpp>
#include <oauth/token_response.hpp>
#include <oauth/token_store.hpp>
#include <oauth/transport.hpp>
#include <oauth/user_facing_error.hpp>
#include <oauth/user_info.hpp>
#include <oauth/version.hpp>

#endif
