#ifndef OAUTH_COMPLETION_TOKEN_HPP
#define OAUTH_COMPLETION_TOKEN_HPP

#include <oauth/error.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

namespace oauth {

/// A completion token for one of the library's operations that complete with
/// `void(Result<T>)`: use_awaitable, use_future, a callback, deferred, a token adapter.
template <class Token, class T>
concept CompletionTokenFor = boost::asio::completion_token_for<Token, void(Result<T>)>;

/// The completion token of an `async_` operation called without one: `deferred`, as from
/// Asio 1.82. So `co_await manager.async_get_access_token<P>(...)` works in a coroutine,
/// and the operation can be composed (a parallel group, `deferred` chains) before it
/// starts.
using DefaultCompletionToken = boost::asio::deferred_t;

}  // namespace oauth

#endif
