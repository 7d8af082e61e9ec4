#ifndef OAUTH_IMPL_HTTP_HTTPS_TRANSPORT_IPP
#define OAUTH_IMPL_HTTP_HTTPS_TRANSPORT_IPP

#include <oauth/detail/async/cancellation.hpp>
#include <oauth/detail/encoding/ascii.hpp>
#include <oauth/detail/http/connection_pool.hpp>
#include <oauth/detail/http/url.hpp>
#include <oauth/http/https_transport.hpp>
#include <oauth/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/config/helper_macros.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <variant>

namespace oauth {

namespace detail::http {

using SteadyClock = std::chrono::steady_clock;

// The completion token of the socket's operations: Asio's per-operation cancellation is
// kept out of them (an empty slot), and the caller's cancellation cancels the socket
// instead, as the deadline does (CancelSocket). Composed operations of the TLS stream
// left handlers of a closed socket in the slot; socket::cancel is the tried way.
inline auto step() {
  return boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(),
                                             boost::asio::as_tuple(boost::asio::use_awaitable));
}

/// Installed in the coroutine's slot before each step: a terminal signal cancels what the
/// socket (or the resolver) is doing.
template <class Target>
struct CancelSocket {
  explicit CancelSocket(std::weak_ptr<Target> t) noexcept : target(std::move(t)) {}

  std::weak_ptr<Target> target;

  void operator()(boost::asio::cancellation_type type) const {
    if ((type & boost::asio::cancellation_type::terminal) == boost::asio::cancellation_type::none) return;
    if (auto const shared = target.lock()) shared->cancel();
  }
};

/// Whether the caller has cancelled; if not, lets a signal from now on cancel `target`.
template <class Target>
bool cancelled_else_watch(boost::asio::cancellation_state& state, std::shared_ptr<Target> const& target) {
  if (async::cancelled(state)) return true;
  if (auto slot = state.slot(); slot.is_connected()) slot.template emplace<CancelSocket<Target>>(target);
  return false;
}

// Named, not lambdas: a coroutine frame of a function with external linkage (the compiled
// mode's) may hold only types that have linkage.
struct WriteAll {
  std::string const& bytes;

  template <class Stream>
  auto operator()(Stream& stream) const {
    return boost::asio::async_write(stream, boost::asio::buffer(bytes), step());
  }
};

struct ReadSome {
  boost::asio::mutable_buffer into;

  template <class Stream>
  auto operator()(Stream& stream) const {
    return stream.async_read_some(into, step());
  }
};

// What Beast would write for it: the start line, the fields in order, the body.
inline std::string serialize(boost::beast::http::request<boost::beast::http::string_body> const& message) {
  std::string bytes;
  bytes.reserve(256 + message.body().size());
  bytes.append(message.method_string()).append(" ").append(message.target()).append(" HTTP/1.1\r\n");
  for (auto const& field : message) bytes.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  bytes.append("\r\n").append(message.body());
  return bytes;
}

template <class C = Connection>
boost::asio::awaitable<Result<std::shared_ptr<C>>> connect(boost::asio::ssl::context& tls,
                                                           TransportOptions const& options, Endpoint const& endpoint,
                                                           SteadyClock::time_point deadline) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  auto const connect_deadline = std::min(deadline, SteadyClock::now() + options.connect_timeout);

  // The timer's handler may run after this frame is gone, so it shares the resolver.
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(executor);
  asio::steady_timer resolve_timer(executor, connect_deadline);
  resolve_timer.async_wait([resolver](boost::system::error_code ec) {
    if (!ec) resolver->cancel();
  });
  auto state = co_await asio::this_coro::cancellation_state;
  if (cancelled_else_watch(state, resolver)) co_return async::aborted("resolving");
  auto [resolve_error, addresses] = co_await resolver->async_resolve(endpoint.host, endpoint.port, step());
  resolve_timer.cancel();
  if (resolve_error) co_return network_error(resolve_error, "resolving the host", endpoint);

  auto connection = endpoint.tls ? std::make_shared<C>(executor, std::in_place_type<TlsStream>, executor, tls)
                                 : std::make_shared<C>(executor, std::in_place_type<PlainStream>, executor);
  connection->expires_at(connect_deadline);
  if (cancelled_else_watch(state, connection)) co_return async::aborted("connecting");
  auto [connect_error, connected] = co_await asio::async_connect(connection->socket(), addresses, step());
  if (connect_error) co_return network_error(connect_error, "connecting", endpoint);

  if (auto* tls = std::get_if<TlsStream>(&connection->stream())) {
    boost::system::error_code not_an_address;
    asio::ip::make_address(endpoint.host, not_an_address);
    // SNI names hosts; RFC 6066 section 3 leaves addresses out.
    if (not_an_address && !SSL_set_tlsext_host_name(tls->native_handle(), endpoint.host.c_str()))
      co_return Error(Errc::tls_failure, "cannot set the TLS server name for " + endpoint.host);
    tls->set_verify_mode(asio::ssl::verify_peer);
    // OpenSSL checks the name itself, so a mismatch is reported as one.
    int const named = not_an_address
                          ? SSL_set1_host(tls->native_handle(), endpoint.host.c_str())
                          : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls->native_handle()), endpoint.host.c_str());
    if (named != 1) co_return Error(Errc::tls_failure, "cannot set the expected peer name " + endpoint.host);
    if (cancelled_else_watch(state, connection)) co_return async::aborted("the TLS handshake");
    auto [handshake_error] = co_await tls->async_handshake(asio::ssl::stream_base::client, step());
    if (handshake_error) {
      if (connection->timed_out()) co_return network_error(handshake_error, "TLS handshake", endpoint);
      auto const verify = SSL_get_verify_result(tls->native_handle());
      std::string reason = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : handshake_error.message();
      co_return Error(Errc::tls_failure, "TLS with " + endpoint.host + ':' + endpoint.port + " failed: " + reason);
    }
  }
  co_return connection;
}

template <class C = Connection>
boost::asio::awaitable<Exchange> exchange_on(C& connection,
                                             boost::beast::http::request<boost::beast::http::string_body>& message,
                                             Endpoint const& endpoint, SteadyClock::time_point deadline,
                                             std::size_t max_bytes) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  connection.expires_at(deadline);
  connection.buffer().clear();

  auto const request_bytes = serialize(message);
  auto state = co_await asio::this_coro::cancellation_state;
  auto const watched = connection.shared_from_this();
  if (cancelled_else_watch(state, watched)) co_return Exchange{async::aborted("sending the request"), false, false};
  auto [write_error, written] = co_await std::visit(WriteAll{request_bytes}, connection.stream());
  if (write_error) {
    co_return Exchange{network_error(write_error, "sending the request", endpoint), false, true};
  }

  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(64 * 1024);
  parser.body_limit(max_bytes);
  std::size_t read_bytes = 0;
  boost::system::error_code read_error;
  auto& buffer = connection.buffer();
  while (!parser.is_done()) {
    if (buffer.size() > 0) {
      buffer.consume(parser.put(buffer.data(), read_error));
      if (read_error == http::error::need_more) read_error = {};
      if (read_error || parser.is_done()) break;
    }
    if (cancelled_else_watch(state, watched)) co_return Exchange{async::aborted("reading the response"), false, false};
    auto [error, n] = co_await std::visit(ReadSome{buffer.prepare(16 * 1024)}, connection.stream());
    buffer.commit(n);
    read_bytes += n;
    if (error == asio::error::eof) {
      if (parser.got_some())
        parser.put_eof(read_error);
      else
        read_error = http::error::end_of_stream;
      break;
    }
    if (error) {
      read_error = error;
      break;
    }
  }
  connection.keep();
  if (read_error) {
    if (read_error == http::error::body_limit || read_error == http::error::header_limit)
      co_return Exchange{Error(Errc::response_too_large,
                               "response from " + endpoint.host + " exceeds " + std::to_string(max_bytes) + " bytes"),
                         false, false};
    if (read_error.category() == http::make_error_code(http::error::end_of_stream).category() &&
        read_error != http::error::end_of_stream && read_error != http::error::partial_message)
      co_return Exchange{Error(Errc::malformed_response, "response from " + endpoint.host + " is not valid HTTP"),
                         false, false};
    bool const nothing_read = read_bytes == 0 && !parser.got_some();
    co_return Exchange{network_error(read_error, "reading the response", endpoint), false,
                       nothing_read && !connection.timed_out()};
  }

  auto& answer = parser.get();
  // This client asks for no content coding and speaks HTTP/1.1: an answer otherwise is
  // not one to read (a body "ended" by closing, bytes compressed behind its back).
  if (answer.version() != 11)
    co_return Exchange{Error(Errc::malformed_response, "response from " + endpoint.host + " is not HTTP/1.1"), false,
                       false};
  if (auto const coding = answer[http::field::content_encoding];
      !coding.empty() && !detail::encoding::ascii_iequals(coding, "identity"))
    co_return Exchange{
        Error(Errc::malformed_response, "response from " + endpoint.host + " has a content coding never asked for"),
        false, false};
  HttpResponse response;
  response.status = answer.result_int();
  for (auto const& field : answer) response.headers.emplace_back(field.name_string(), field.value());
  response.body = std::move(answer.body());
  co_return Exchange{std::move(response), answer.keep_alive() && buffer.size() == 0, false};
}

}  // namespace detail::http

struct HttpsTransport::State {
  State(boost::asio::ssl::context t, TransportOptions o)
      : tls(std::move(t)), options(o), pool(o.max_idle_connections_per_host, o.idle_timeout) {}
  boost::asio::ssl::context tls;
  TransportOptions options;
  detail::http::ConnectionPool pool;
};

OAUTH_DECL boost::asio::ssl::context HttpsTransport::default_tls_context() {
  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                  boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
                  boost::asio::ssl::context::no_tlsv1_1);
  tls.set_default_verify_paths();
  tls.set_verify_mode(boost::asio::ssl::verify_peer);
  return tls;
}

OAUTH_DECL HttpsTransport::HttpsTransport(executor_type executor, TransportOptions options)
    : HttpsTransport(std::move(executor), default_tls_context(), options) {}

OAUTH_DECL HttpsTransport::HttpsTransport(executor_type executor, boost::asio::ssl::context tls,
                                          TransportOptions options)
    : executor_(std::move(executor)), state_(std::make_shared<State>(std::move(tls), options)) {
  state_->tls.set_verify_mode(boost::asio::ssl::verify_peer);
}

OAUTH_DECL TransportOptions const& HttpsTransport::options() const noexcept { return state_->options; }

OAUTH_DECL std::size_t HttpsTransport::idle_connections() const { return state_->pool.idle_count(); }

template <class Request>
boost::asio::awaitable<Result<HttpResponse>> HttpsTransport::send(std::shared_ptr<State> state, Request request) {
  namespace http = boost::beast::http;
  auto endpoint = detail::http::parse_endpoint(request.url);
  if (!endpoint) co_return endpoint.error();
  if (!endpoint->tls &&
      !(state->options.allow_plain_http_to_loopback && detail::http::is_loopback_host(endpoint->host)))
    co_return Error(Errc::insecure_transport, "refusing plain HTTP to " + endpoint->host);

  http::request<http::string_body> message{http::string_to_verb(method_name(request.method)), endpoint->target, 11};
  bool const default_port = endpoint->port == (endpoint->tls ? "443" : "80");
  message.set(http::field::host, default_port ? endpoint->host : endpoint->host + ':' + endpoint->port);
  message.set(http::field::user_agent,
              "oauth-cpp/" BOOST_STRINGIZE(OAUTH_VERSION_MAJOR) "." BOOST_STRINGIZE(OAUTH_VERSION_MINOR));
  for (auto const& [name, value] : request.headers) message.set(name, value);
  if (request.method != HttpMethod::get || !request.body.empty()) message.body() = std::move(request.body);
  message.keep_alive(true);
  message.prepare_payload();

  auto const deadline = detail::http::SteadyClock::now() + state->options.total_timeout;
  auto const key = endpoint->connection_key();
  // A pooled connection the server has meanwhile closed fails before any answer; that
  // one is retried once on a new connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto connection = state->pool.take(key);
    bool const reused = connection != nullptr;
    if (!connection) {
      auto made = co_await detail::http::connect(state->tls, state->options, *endpoint, deadline);
      if (!made) {
        if (detail::async::cancelled(co_await boost::asio::this_coro::cancellation_state))
          co_return detail::async::aborted("the request to " + endpoint->host);
        co_return made.error();
      }
      connection = std::move(*made);
    }
    auto exchange = co_await detail::http::exchange_on(*connection, message, *endpoint, deadline,
                                                       state->options.max_response_bytes);
    if (!exchange.response) {
      // The connection is dropped: a cancelled read or write leaves its stream unusable.
      if (detail::async::cancelled(co_await boost::asio::this_coro::cancellation_state))
        co_return detail::async::aborted("the request to " + endpoint->host);
      if (reused && exchange.peer_closed_idle_connection) continue;
      co_return exchange.response.error();
    }
    if (exchange.keep_alive) state->pool.give_back(key, std::move(connection));
    co_return std::move(exchange.response);
  }
  co_return Error(Errc::connection_failed, "connection closed before an answer (" + endpoint->host + ')');
}

#if defined(OAUTH_SEPARATE_COMPILATION)
template boost::asio::awaitable<Result<HttpResponse>> HttpsTransport::send<HttpRequest>(std::shared_ptr<State> state,
                                                                                        HttpRequest request);
#endif

}  // namespace oauth

#endif
