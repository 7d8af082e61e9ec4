#ifndef OAUTH_DETAIL_ASYNC_CANCELLATION_HPP
#define OAUTH_DETAIL_ASYNC_CANCELLATION_HPP

#include <oauth/error.hpp>

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>

#include <string>
#include <string_view>

namespace oauth::detail::async {

using boost::asio::cancellation_type;

/// What an operation completes with when a cancellation ended it.
inline Error aborted(std::string_view what) {
  return Error(boost::asio::error::operation_aborted, std::string(what) + " was cancelled");
}

/// Whether a cancellation signal of the current coroutine got through its filter.
inline bool cancelled(boost::asio::cancellation_state const& state) noexcept {
  return state.cancelled() != cancellation_type::none;
}

/// The filter of an operation's coroutine: only the cancellation types the operation
/// supports reach what it awaits.
struct SupportedCancellation {
  cancellation_type supported;
  cancellation_type operator()(cancellation_type requested) const noexcept { return requested & supported; }
};

}  // namespace oauth::detail::async

#endif
