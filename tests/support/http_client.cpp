#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace oauth::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct HttpClient::Impl {
  Impl(unsigned short p, std::chrono::milliseconds t) : port(p), timeout(t) {}

  unsigned short port;
  std::chrono::milliseconds timeout;
  asio::io_context context;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  bool connect() {
    stream.emplace(context);
    boost::system::error_code ec;
    stream->socket().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) stream.reset();
    buffer.clear();
    return stream.has_value();
  }

  HttpReply read() {
    HttpReply reply;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    stream->expires_after(timeout);
    bool done = false;
    boost::system::error_code result;
    http::async_read(*stream, buffer, parser, [&](boost::system::error_code ec, std::size_t) {
      result = ec;
      done = true;
    });
    context.restart();
    context.run();
    if (!done || result) {
      stream.reset();
      return reply;
    }
    auto message = parser.release();
    reply.status = static_cast<int>(message.result_int());
    for (auto const& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      reply.headers.emplace(std::move(name), std::string(field.value()));
    }
    reply.body = std::move(message.body());
    if (!message.keep_alive()) stream.reset();
    return reply;
  }

  bool write(std::string const& bytes) {
    boost::system::error_code ec;
    asio::write(stream->socket(), asio::buffer(bytes), ec);
    return !ec;
  }
};

HttpClient::HttpClient(unsigned short port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(port, timeout)) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;

HttpReply HttpClient::send(HttpCall const& call) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool const reused = impl_->stream.has_value();
    if (!reused && !impl_->connect()) return {};
    http::request<http::string_body> request{http::string_to_verb(call.method), call.target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
    for (auto const& [name, value] : call.headers) request.set(name, value);
    request.body() = call.body;
    if (!call.body.empty() || call.method == "POST") request.prepare_payload();
    boost::system::error_code ec;
    http::write(impl_->stream->socket(), request, ec);
    if (!ec) {
      auto reply = impl_->read();
      if (reply.status != 0 || !reused) return reply;
    }
    impl_->stream.reset();  // a kept-alive connection the server had closed: once more, fresh
    if (!reused) return {};
  }
  return {};
}

HttpReply HttpClient::get(std::string const& target, std::string const& bearer) {
  HttpCall call{"GET", target};
  if (!bearer.empty()) call.headers.emplace_back("Authorization", "Bearer " + bearer);
  return send(call);
}

bool HttpClient::closed_by_server(std::chrono::milliseconds wait) {
  if (!impl_->stream && !impl_->connect()) return true;
  char byte = 0;
  bool closed = false;
  bool done = false;
  impl_->stream->expires_after(wait);
  impl_->stream->async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) {
    closed = ec && ec != beast::error::timeout;
    done = true;
  });
  impl_->context.restart();
  impl_->context.run();
  if (closed) impl_->stream.reset();
  return done && closed;
}

void HttpClient::write_raw(std::string const& bytes) {
  if (!impl_->stream) impl_->connect();
  if (impl_->stream) impl_->write(bytes);
}

HttpReply HttpClient::read_reply() {
  if (!impl_->stream) return {};
  return impl_->read();
}

}  // namespace oauth::testing
