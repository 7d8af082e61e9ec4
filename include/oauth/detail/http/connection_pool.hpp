#ifndef OAUTH_DETAIL_HTTP_CONNECTION_POOL_HPP
#define OAUTH_DETAIL_HTTP_CONNECTION_POOL_HPP

#include <oauth/detail/http/url.hpp>
#include <oauth/error.hpp>
#include <oauth/http/message.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace oauth::detail::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

using PlainStream = asio::ip::tcp::socket;
using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

/// A connection to one host, plain or TLS, with the deadline of what it is doing: past
/// it, the socket's operations are cancelled. Read and written a buffer at a time, so
/// that Beast's composed operations (and their instances per stream type) stay out of
/// every program that sends a request.
class Connection : public std::enable_shared_from_this<Connection> {
public:
  template <class... Args>
  explicit Connection(asio::any_io_executor const& executor, Args&&... args)
      : stream_(std::forward<Args>(args)...), timer_(executor) {}

  std::variant<PlainStream, TlsStream>& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }

  asio::ip::tcp::socket& socket() {
    if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
    return std::get<PlainStream>(stream_);
  }

  /// Cancels the socket's operations at `deadline`, until the next call or `keep`.
  void expires_at(std::chrono::steady_clock::time_point deadline) {
    timer_.expires_at(deadline);
    timed_out_ = false;
    timer_.async_wait([weak = weak_from_this(), generation = ++generation_](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->generation_ != generation) return;
      self->timed_out_ = true;
      boost::system::error_code ignored;
      self->socket().cancel(ignored);
    });
  }

  /// The caller's cancellation: ends what the socket is doing and whatever it would do
  /// next. Cancelling alone misses an operation the TLS stream starts a moment later; a
  /// socket shut down fails every read and write at once. The connection is not reused.
  void cancel() {
    boost::system::error_code ignored;
    socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket().cancel(ignored);
  }

  /// No deadline: the connection waits idle in the pool.
  void keep() {
    ++generation_;
    timer_.cancel();
  }

  /// Whether the deadline cancelled what the socket was doing.
  bool timed_out() const { return timed_out_; }

private:
  std::variant<PlainStream, TlsStream> stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer timer_;
  std::atomic<bool> timed_out_ = false;
  std::atomic<std::uint64_t> generation_ = 0;
};

/// Idle keep-alive connections, per scheme, host and port: at most `per_host` of each,
/// none kept longer than `idle_timeout`. Servers close connections left idle a while
/// (nginx after 75 s, many after less), and a connection they closed is at best a wasted
/// write; past the timeout it is closed here instead, oldest first.
class ConnectionPool {
public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(std::size_t per_host, Clock::duration idle_timeout)
      : per_host_(per_host), idle_timeout_(idle_timeout) {}

  std::shared_ptr<Connection> take(std::string const& key) {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    auto& idle = it->second;
    drop_stale(idle, Clock::now());
    if (idle.empty()) return nullptr;
    auto connection = std::move(idle.back().connection);
    idle.pop_back();
    return connection;
  }

  void give_back(std::string const& key, std::shared_ptr<Connection> connection) {
    auto const now = Clock::now();
    std::lock_guard lock(mutex_);
    auto& idle = idle_[key];
    drop_stale(idle, now);
    if (idle.size() < per_host_) idle.push_back({std::move(connection), now});
  }

  std::size_t idle_count() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (auto const& [key, idle] : idle_) n += idle.size();
    return n;
  }

private:
  struct Idle {
    std::shared_ptr<Connection> connection;
    Clock::time_point since;
  };

  /// The oldest come first: connections are given back in time order and taken newest first.
  void drop_stale(std::vector<Idle>& idle, Clock::time_point now) const {
    auto const fresh =
        std::find_if(idle.begin(), idle.end(), [&](Idle const& i) { return now - i.since < idle_timeout_; });
    idle.erase(idle.begin(), fresh);
  }

  mutable std::mutex mutex_;
  std::size_t per_host_;
  Clock::duration idle_timeout_;
  std::unordered_map<std::string, std::vector<Idle>> idle_;
};

inline Error network_error(boost::system::error_code ec, std::string_view what, Endpoint const& endpoint) {
  auto const where = " (" + endpoint.host + ':' + endpoint.port + ")";
  if (ec == asio::error::operation_aborted || ec == asio::error::timed_out)
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
