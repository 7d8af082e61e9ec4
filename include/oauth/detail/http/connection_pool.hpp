#ifndef OAUTH_DETAIL_HTTP_CONNECTION_POOL_HPP
#define OAUTH_DETAIL_HTTP_CONNECTION_POOL_HPP

#include <oauth/detail/http/url.hpp>
#include <oauth/error.hpp>
#include <oauth/http/message.hpp>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace oauth::detail::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Connection {
  explicit Connection(std::variant<PlainStream, TlsStream> s) : stream(std::move(s)) {}

  std::variant<PlainStream, TlsStream> stream;
  beast::flat_buffer buffer;

  beast::tcp_stream& socket() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream);
  }
};

/// Idle keep-alive connections, per scheme, host and port.
class ConnectionPool {
public:
  explicit ConnectionPool(std::size_t per_host) : per_host_(per_host) {}

  std::unique_ptr<Connection> take(std::string const& key) {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    auto connection = std::move(it->second.back());
    it->second.pop_back();
    return connection;
  }

  void give_back(std::string const& key, std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[key];
    if (idle.size() < per_host_) idle.push_back(std::move(connection));
  }

  std::size_t idle_count() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (auto const& [key, idle] : idle_) n += idle.size();
    return n;
  }

private:
  mutable std::mutex mutex_;
  std::size_t per_host_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
};

inline Error network_error(boost::system::error_code ec, std::string_view what, Endpoint const& endpoint) {
  auto const where = " (" + endpoint.host + ':' + endpoint.port + ")";
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted || ec == asio::error::timed_out)
    return Error(Errc::timeout, std::string(what) + " timed out" + where);
  return Error(Errc::connection_failed, std::string(what) + " failed: " + ec.message() + where);
}

/// One exchange on an open connection. `peer_closed_idle_connection` tells a kept-alive
/// connection the server had already closed (safe to retry on a new one) from a failure
/// during the exchange.
struct Exchange {
  Result<HttpResponse> response;
  bool keep_alive = false;
  bool peer_closed_idle_connection = false;
};

}  // namespace oauth::detail::http

#endif
