#ifndef OAUTH_HTTP_HTTPS_TRANSPORT_HPP
#define OAUTH_HTTP_HTTPS_TRANSPORT_HPP

#include <oauth/completion_token.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/detail/config.hpp>
#include <oauth/error.hpp>
#include <oauth/http/message.hpp>
#include <oauth/http/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>

namespace oauth {

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{5'000};  ///< resolve, connect and TLS handshake
  std::chrono::milliseconds total_timeout{30'000};   ///< the whole request, connecting included
  std::size_t max_response_bytes = 1 << 20;          ///< larger bodies fail with response_too_large
  /// Kept-alive connections kept for reuse, per host. A service calls a provider for many
  /// users at once: every connection a burst needs beyond these is opened anew (connect,
  /// TLS handshake) for each request.
  std::size_t max_idle_connections_per_host = 64;
  std::chrono::milliseconds idle_timeout{30'000};  ///< idle longer, a connection is closed, not reused
  bool allow_plain_http_to_loopback = true;        ///< plain HTTP anywhere else is refused
};

/// HTTP/1.1 over TLS on Beast: the system trust store, SNI and host-name verification by
/// default; plain HTTP only to loopback; no redirects followed; connect and total
/// timeouts; a cap on the response size; keep-alive connections reused per host.
///
/// Beast is used only in the bodies (impl/http/https_transport.ipp): in compiled mode
/// (OAUTH_SEPARATE_COMPILATION) code that sends requests does not compile Beast.
class HttpsTransport {
public:
  using executor_type = boost::asio::any_io_executor;

  /// TLS 1.2 or later, peers verified against the system's trust store.
  OAUTH_DECL static boost::asio::ssl::context default_tls_context();

  OAUTH_DECL explicit HttpsTransport(executor_type executor, TransportOptions options = {});

  /// With a TLS context of the caller's: an extra CA (a test CA, a corporate proxy's), a
  /// client certificate. Peers are verified whatever the context says.
  OAUTH_DECL HttpsTransport(executor_type executor, boost::asio::ssl::context tls, TransportOptions options = {});

  executor_type get_executor() const noexcept { return executor_; }

  OAUTH_DECL TransportOptions const& options() const noexcept;

  /// Idle connections kept for reuse, over all hosts.
  OAUTH_DECL std::size_t idle_connections() const;

  /// Sends `request` and reads the answer, whatever its status.
  ///
  /// Completion signature: `void(Result<HttpResponse>)`.
  ///
  /// Cancellation: terminal. The connection is closed; the request may have reached the
  /// server.
  template <CompletionTokenFor<HttpResponse> CompletionToken = DefaultCompletionToken>
  auto async_send(HttpRequest request, CompletionToken&& token = {}) {
    return detail::async::spawn<HttpResponse>(executor_, send<HttpRequest>(state_, std::move(request)),
                                              boost::asio::cancellation_type::terminal,
                                              std::forward<CompletionToken>(token));
  }

private:
  struct State;

  // The coroutines are templates so that only code that sends compiles them: GCC emits
  // the body of every inline coroutine, used or not, in each translation unit that sees it.
  template <class Request>
  static boost::asio::awaitable<Result<HttpResponse>> send(std::shared_ptr<State> state, Request request);

  executor_type executor_;
  std::shared_ptr<State> state_;
};

#if defined(OAUTH_SEPARATE_COMPILATION)
extern template boost::asio::awaitable<Result<HttpResponse>> HttpsTransport::send<HttpRequest>(
    std::shared_ptr<State> state, HttpRequest request);
#endif

}  // namespace oauth

#if defined(OAUTH_HEADER_ONLY)
#include <oauth/impl/http/https_transport.ipp>
#endif

#endif
