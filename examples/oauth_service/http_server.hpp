#ifndef OAUTH_SERVICE_HTTP_SERVER_HPP
#define OAUTH_SERVICE_HTTP_SERVER_HPP

// The HTTP/1.1 side of the service: accepts connections, reads requests within the
// configured limits and timeouts, hands each to the application, writes its answer, and
// on shutdown stops accepting, closes idle connections and lets answers in progress finish.

#include "config.hpp"
#include "http_types.hpp"
#include "metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace oauth::service {

/// A request the server refused before the application saw it.
struct Refusal {
  http::status status;
  std::string code;
  std::string message;
};

/// Why a request whose head has been read cannot be answered, and its connection must
/// close (RFC 9112): an HTTP/1.1 request without exactly one Host; a Transfer-Encoding
/// other than chunked alone (its body's length cannot be known, and its bytes would be
/// read as the next request); both Transfer-Encoding and Content-Length.
std::optional<Refusal> refuse_head(http::request_header<> const& head);

/// The answer a failed read calls for: none for a client that went away or took too
/// long, 400 for anything that is not HTTP/1.1, 413 and 431 for what is too large.
std::optional<Refusal> refusal_for(boost::system::error_code read_error);

struct HttpHandlers {
  std::function<boost::asio::awaitable<Response>(Request, Peer)> request;
  std::function<Response(Refusal const&, Peer const&)> refused;
};

class HttpServer {
public:
  HttpServer(boost::asio::any_io_executor executor, Limits limits, HttpHandlers handlers, Metrics& metrics);
  ~HttpServer();

  /// Binds and listens; the port actually bound (useful with port 0).
  boost::system::error_code listen(std::string const& host, unsigned short port);
  unsigned short port() const;
  void start();

  /// Stops accepting and closes idle connections; `drained` is called once every
  /// connection has closed, or when `grace` has passed with some still busy (false).
  void shutdown(std::chrono::seconds grace, std::function<void(bool drained)> done);

private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace oauth::service

#endif
