#ifndef OAUTH_HTTP_TRANSPORT_HPP
#define OAUTH_HTTP_TRANSPORT_HPP

#include <oauth/error.hpp>
#include <oauth/http/message.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <concepts>

namespace oauth {

/// Sends a request and hands back the response, whatever its status, without following
/// redirects. HttpsTransport is the library's; tests and applications may bring their
/// own (a proxy, a recorder) as long as it completes `async_send` as `void(Result<HttpResponse>)`.
template <class T>
concept Transport = requires(T& transport, HttpRequest request) {
  {
    transport.async_send(std::move(request), boost::asio::use_awaitable)
    } -> std::same_as<boost::asio::awaitable<Result<HttpResponse>>>;
};

}  // namespace oauth

#endif
