#include "loopback_redirect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace oauthctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

LoopbackRedirect::LoopbackRedirect() : acceptor_(context_, {asio::ip::make_address("127.0.0.1"), 0}) {}

std::string LoopbackRedirect::redirect_uri() const {
  return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/callback";
}

namespace {

http::response<http::string_body> page(http::status status, std::string_view title, std::string_view text) {
  http::response<http::string_body> response{status, 11};
  response.set(http::field::content_type, "text/html; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  response.set("Referrer-Policy", "no-referrer");
  response.keep_alive(false);
  response.body() = "<!doctype html><html><head><meta charset=\"utf-8\"><title>oauthctl</title></head><body><h1>" +
                    std::string(title) + "</h1><p>" + std::string(text) + "</p></body></html>";
  response.prepare_payload();
  return response;
}

}  // namespace

CallbackAnswer answer_callback_request(http::request<http::string_body> const& request) {
  auto target = boost::urls::parse_origin_form(request.target());
  if (request.method() != http::verb::get || !target || target->path() != "/callback")
    return {page(http::status::not_found, "Not here", "oauthctl waits for the provider's answer on /callback."), {}};
  CallbackParams params;
  for (auto param : target->params()) params[param.key] = param.value;
  bool const refused = params.contains("error");
  return {page(http::status::ok, refused ? "Nothing was connected" : "Done",
               refused ? "The provider did not grant access. Go back to the terminal to see what to do."
                       : "oauthctl has the answer. You can close this tab and go back to the terminal."),
          std::move(params)};
}

std::optional<CallbackParams> LoopbackRedirect::wait(std::chrono::seconds timeout) {
  std::optional<CallbackParams> result;
  asio::steady_timer deadline(context_, timeout);
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) acceptor_.cancel();
  });
  asio::co_spawn(
      context_,
      [&]() -> asio::awaitable<void> {
        while (!result) {
          auto [accept_error, socket] = co_await acceptor_.async_accept(as_result);
          if (accept_error) co_return;
          beast::tcp_stream stream(std::move(socket));
          stream.expires_after(std::chrono::seconds(10));
          beast::flat_buffer buffer;
          http::request<http::string_body> request;
          auto [read_error, read] = co_await http::async_read(stream, buffer, request, as_result);
          if (read_error) continue;
          auto answer = answer_callback_request(request);
          if (answer.params) result = std::move(answer.params);
          co_await http::async_write(stream, answer.page, as_result);
          beast::error_code ignored;
          stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        }
        deadline.cancel();
      },
      asio::detached);
  context_.run();
  context_.restart();
  return result;
}

}  // namespace oauthctl
