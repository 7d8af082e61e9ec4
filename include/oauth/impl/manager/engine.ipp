#ifndef OAUTH_IMPL_MANAGER_ENGINE_IPP
#define OAUTH_IMPL_MANAGER_ENGINE_IPP

// The engine's operations: in every file that includes the manager when header-only, in
// oauth/src.hpp alone in compiled mode. GCC 12 destroys a temporary argument in a
// co_await expression twice, so every such argument in them is a named local first.

#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/pkce.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/crypto/state.hpp>
#include <oauth/detail/api/authorized_request.hpp>
#include <oauth/detail/api/retry_status.hpp>
#include <oauth/detail/api/target.hpp>
#include <oauth/detail/async/offload.hpp>
#include <oauth/detail/async/retry.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/detail/encoding/printable.hpp>
#include <oauth/detail/encoding/time.hpp>
#include <oauth/detail/http/url.hpp>
#include <oauth/detail/manager/engine.hpp>
#include <oauth/protocol/authorization_response.hpp>
#include <oauth/protocol/authorization_url.hpp>
#include <oauth/protocol/endpoint_request.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/protocol/token_response.hpp>
#include <oauth/scope_catalogue.hpp>
#include <oauth/store/record_json.hpp>
#include <oauth/store/scope_records.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

// The operations, by concern.
#include <oauth/impl/manager/access.hpp>
#include <oauth/impl/manager/api.hpp>
#include <oauth/impl/manager/authorize.hpp>
#include <oauth/impl/manager/complete.hpp>
#include <oauth/impl/manager/configure.hpp>
#include <oauth/impl/manager/erase.hpp>
#include <oauth/impl/manager/records.hpp>
#include <oauth/impl/manager/refresh.hpp>
#include <oauth/impl/manager/revoke.hpp>
#include <oauth/impl/manager/validate.hpp>

#if defined(OAUTH_SEPARATE_COMPILATION)
template class oauth::detail::manager::BasicEngine<void>;
#endif

#endif
