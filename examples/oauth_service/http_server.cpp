#include "http_server.hpp"

#include "forwarded_for.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace oauth::service {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

using SteadyClock = std::chrono::steady_clock;

/// How often the server looks for reads and writes past their deadline: a deadline is kept
/// to within this much, by one timer for every connection instead of one per operation.
constexpr auto sweep_interval = std::chrono::milliseconds(250);

/// One connection, as the shutdown and the deadline sweep see it: closed at once when idle,
/// left to finish when busy; closed when a read or write outlives its deadline.
struct Connection {
  static constexpr auto never = SteadyClock::rep{std::numeric_limits<SteadyClock::rep>::max()};

  asio::any_io_executor strand;
  tcp::socket* socket = nullptr;  // touched on `strand` only
  bool busy = false;              // touched on `strand` only
  /// When the read or write under way must have finished (steady ticks), or `never`
  /// between them: set on `strand`, read by the sweep.
  std::atomic<SteadyClock::rep> deadline{never};

  void expire_at(SteadyClock::time_point at) {
    deadline.store(at.time_since_epoch().count(), std::memory_order_relaxed);
  }
  void expire_never() { deadline.store(never, std::memory_order_relaxed); }
  bool overdue(SteadyClock::rep now) const { return deadline.load(std::memory_order_relaxed) <= now; }
};

/// Parses what `buffer` already holds into `parser`, as far as it goes, without reading:
/// a request usually arrives whole in one read.
void parse_held(http::request_parser<http::string_body>& parser, beast::flat_buffer& buffer,
                boost::system::error_code& ec) {
  while (buffer.size() > 0 && !parser.is_done()) {
    auto const used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == http::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0) return;
  }
}

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::any_io_executor executor, Limits limits, HttpHandlers handlers, Metrics& metrics)
      : executor(executor), acceptor(executor), limits(limits), handlers(std::move(handlers)), metrics(metrics) {}

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  Limits limits;
  HttpHandlers handlers;
  Metrics& metrics;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;
  std::unordered_map<std::string, std::size_t> per_address;
  std::uint64_t next_id = 0;

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto strand = asio::make_strand(executor);
      auto [ec, socket] = co_await acceptor.async_accept(strand, as_result);
      if (stopping) co_return;
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        // Out of descriptors or the like: give closing connections a moment.
        asio::steady_timer pause(executor, std::chrono::milliseconds(50));
        co_await pause.async_wait(as_result);
        continue;
      }
      boost::system::error_code no_peer;
      auto address = socket.remote_endpoint(no_peer).address().to_string();
      std::unique_lock lock(mutex);
      auto& from_address = per_address[address];
      // A trusted proxy's connections carry many clients: its count is not one client's.
      if (no_peer || connections.size() >= limits.max_connections ||
          (from_address >= limits.max_connections_per_address && !is_trusted_proxy(address))) {
        if (from_address == 0) per_address.erase(address);
        lock.unlock();
        metrics.connection_refused();
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++from_address;
      auto const id = next_id++;
      auto connection = std::make_shared<Connection>();
      connection->strand = strand;
      connections.emplace(id, connection);
      lock.unlock();
      asio::co_spawn(strand, session(std::move(socket), id, connection, Peer{std::move(address)}), asio::detached);
    }
  }

  /// Every `sweep_interval`, closes the connections whose read or write is past its
  /// deadline; ends with the server, or once it is stopping with no connection left.
  static asio::awaitable<void> sweep(std::weak_ptr<State> server) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      timer.expires_after(sweep_interval);
      co_await timer.async_wait(as_result);
      auto state = server.lock();
      if (!state || (state->stopping && state->open() == 0)) co_return;
      state->close_overdue();
    }
  }

  void close_overdue() {
    auto const now = SteadyClock::now().time_since_epoch().count();
    std::lock_guard lock(mutex);
    for (auto& entry : connections)
      if (entry.second->overdue(now))
        asio::post(entry.second->strand, [connection = entry.second, now] {
          // Still overdue on its strand: the operation has not finished meanwhile.
          if (connection->socket == nullptr || !connection->overdue(now)) return;
          boost::system::error_code ignored;
          connection->socket->close(ignored);
        });
  }

  asio::awaitable<void> session(tcp::socket socket, std::uint64_t id, std::shared_ptr<Connection> connection,
                                Peer peer) {
    auto self = shared_from_this();
    metrics.connection_opened();
    connection->socket = &socket;
    beast::flat_buffer buffer;
    // GCC 12 mishandles temporaries inside co_await expressions: every argument is a named local.
    std::optional<Refusal> refusal;
    bool first = true;
    try {
      while (!stopping) {
        // A kept-alive connection may wait idle for its next request (a new one only as
        // long as for a head); once a request's first byte is in, its head and the whole
        // request each have their deadline.
        if (buffer.size() == 0) {
          connection->expire_at(SteadyClock::now() + (first ? limits.header_timeout : limits.idle_timeout));
          first = false;
          auto space = buffer.prepare(4096);
          auto [idle_error, arrived] = co_await socket.async_read_some(space, as_result);
          connection->expire_never();
          if (idle_error) break;
          buffer.commit(arrived);
        }
        auto const started = SteadyClock::now();
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
        parser.body_limit(limits.max_body_bytes);
        boost::system::error_code parse_error;
        parse_held(parser, buffer, parse_error);
        if (parse_error) {
          refusal = refusal_for(parse_error);
          break;
        }
        if (!parser.is_header_done()) {
          connection->expire_at(started + limits.header_timeout);
          auto [read_error, header_bytes] = co_await http::async_read_header(socket, buffer, parser, as_result);
          connection->expire_never();
          if (read_error) {
            refusal = refusal_for(read_error);
            break;
          }
        }
        if ((refusal = refuse_head(parser.get()))) break;
        connection->busy = true;
        if (!parser.is_done()) {
          connection->expire_at(started + limits.request_timeout);
          auto [body_error, body_bytes] = co_await http::async_read(socket, buffer, parser, as_result);
          connection->expire_never();
          if (body_error) {
            refusal = refusal_for(body_error);
            break;
          }
        }
        auto request = parser.release();
        bool const keep_alive = request.keep_alive();
        auto client = client_of(request, peer);
        auto answering = handlers.request(std::move(request), std::move(client));
        auto response = co_await std::move(answering);
        response.keep_alive(keep_alive && !stopping);
        bool const again = response.keep_alive();
        connection->expire_at(SteadyClock::now() + limits.request_timeout);
        auto [write_error, written] = co_await http::async_write(socket, response, as_result);
        connection->expire_never();
        connection->busy = false;
        if (write_error || !again) break;
      }
      if (refusal) {
        auto response = handlers.refused(*refusal, peer);
        response.keep_alive(false);
        connection->expire_at(SteadyClock::now() + std::chrono::seconds(5));
        co_await http::async_write(socket, response, as_result);
      }
    } catch (std::exception const&) {
      // An answer that could not be made (out of memory, say) ends this connection only.
    }
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
    connection->socket = nullptr;
    metrics.connection_closed();
    std::lock_guard lock(mutex);
    connections.erase(id);
    if (auto it = per_address.find(peer.address); it != per_address.end() && --it->second == 0) per_address.erase(it);
  }

  void close_idle() {
    std::lock_guard lock(mutex);
    for (auto& entry : connections)
      asio::post(entry.second->strand, [connection = entry.second] {
        boost::system::error_code ignored;
        if (!connection->busy && connection->socket != nullptr) connection->socket->cancel(ignored);
      });
  }

  std::size_t open() {
    std::lock_guard lock(mutex);
    return connections.size();
  }

  bool is_trusted_proxy(std::string const& address) const {
    return std::find(limits.trusted_proxies.begin(), limits.trusted_proxies.end(), address) !=
           limits.trusted_proxies.end();
  }

  /// Who sent the request: the peer, or the client a trusted proxy names (forwarded_for.hpp).
  Peer client_of(Request const& request, Peer const& peer) const {
    if (!is_trusted_proxy(peer.address)) return peer;
    std::string forwarded_for;
    auto [first, last] = request.equal_range("X-Forwarded-For");
    for (auto it = first; it != last; ++it) {
      if (!forwarded_for.empty()) forwarded_for += ',';
      forwarded_for += it->value();
    }
    return Peer{client_address(peer.address, forwarded_for, limits.trusted_proxies)};
  }
};

std::optional<Refusal> refuse_head(http::request_header<> const& head) {
  auto const bad = [](std::string message) {
    return Refusal{http::status::bad_request, "malformed_request", std::move(message)};
  };
  auto const [first_host, after_hosts] = head.equal_range(http::field::host);
  auto const hosts = std::distance(first_host, after_hosts);
  if (hosts > 1 || (hosts == 0 && head.version() >= 11))
    return bad("An HTTP/1.1 request names its host once, in one Host header.");
  auto const codings = head.equal_range(http::field::transfer_encoding);
  if (codings.first == codings.second) return std::nullopt;
  if (head.find(http::field::content_length) != head.end())
    return bad("A request has a Content-Length or a Transfer-Encoding, not both.");
  std::string all;
  for (auto it = codings.first; it != codings.second; ++it)
    all += std::string(all.empty() ? "" : ",") + std::string(it->value());
  std::string coding;
  for (char c : all)
    if (c != ' ' && c != '\t') coding += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (coding != "chunked") return bad("The only transfer coding a request may use is chunked, alone.");
  return std::nullopt;
}

std::optional<Refusal> refusal_for(boost::system::error_code read_error) {
  if (read_error == http::error::header_limit)
    return Refusal{http::status::request_header_fields_too_large, "headers_too_large",
                   "The request headers are too large."};
  if (read_error == http::error::body_limit)
    return Refusal{http::status::payload_too_large, "body_too_large", "The request body is too large."};
  if (read_error == http::error::end_of_stream || read_error == http::error::partial_message ||
      read_error == asio::error::bad_descriptor || read_error == asio::error::operation_aborted ||
      read_error == asio::error::connection_reset || read_error == asio::error::eof ||
      read_error == asio::error::broken_pipe)
    return std::nullopt;
  return Refusal{http::status::bad_request, "malformed_request", "The request is not valid HTTP/1.1."};
}

HttpServer::HttpServer(asio::any_io_executor executor, Limits limits, HttpHandlers handlers, Metrics& metrics)
    : state_(std::make_shared<State>(std::move(executor), limits, std::move(handlers), metrics)) {}

HttpServer::~HttpServer() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
}

boost::system::error_code HttpServer::listen(std::string const& host, unsigned short port) {
  boost::system::error_code ec;
  auto const address = asio::ip::make_address(host, ec);
  if (ec) return ec;
  tcp::endpoint const endpoint(address, port);
  auto& acceptor = state_->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); ec) return ec;
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return ec;
  if (acceptor.bind(endpoint, ec); ec) return ec;
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

unsigned short HttpServer::port() const {
  boost::system::error_code ec;
  return state_->acceptor.local_endpoint(ec).port();
}

void HttpServer::start() {
  asio::co_spawn(state_->executor, state_->accept_loop(), asio::detached);
  asio::co_spawn(state_->executor, State::sweep(state_), asio::detached);
}

void HttpServer::shutdown(std::chrono::seconds grace, std::function<void(bool)> done) {
  auto state = state_;
  state->stopping = true;
  asio::post(state->acceptor.get_executor(), [state] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
  state->close_idle();
  asio::co_spawn(
      state->executor,
      [state, grace, done = std::move(done)]() -> asio::awaitable<void> {
        auto const deadline = std::chrono::steady_clock::now() + grace;
        asio::steady_timer timer(state->executor);
        while (state->open() > 0 && std::chrono::steady_clock::now() < deadline) {
          // A connection accepted just before the acceptor closed may not be idle yet.
          state->close_idle();
          timer.expires_after(std::chrono::milliseconds(25));
          co_await timer.async_wait(as_result);
        }
        done(state->open() == 0);
      },
      asio::detached);
}

}  // namespace oauth::service
