// The floor: what any HTTPS client on these libraries costs to compile. One HTTPS GET in a
// coroutine on Beast and Asio's TLS, its answer parsed with Boost.JSON and its URL with
// Boost.URL.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

asio::awaitable<void> get(asio::ssl::context& tls, std::string address) {
  auto url = boost::urls::parse_uri(address).value();
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto addresses = co_await resolver.async_resolve(url.host(), url.port(), asio::use_awaitable);
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  co_await beast::get_lowest_layer(stream).async_connect(addresses, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  http::request<http::string_body> request{http::verb::get, url.encoded_target(), 11};
  request.set(http::field::host, url.host());
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  std::cout << boost::json::parse(response.body()).as_object().size() << '\n';
}

int main(int argc, char** argv) {
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  asio::co_spawn(io, get(tls, argc > 1 ? argv[1] : "https://localhost/"), asio::detached);
  io.run();
}
