// oauthctl's loopback redirect (RFC 8252 section 7.3): the raw bytes a browser, or anyone
// else on the machine, sends to its listener. The page it answers repeats nothing of the
// request, and only a GET for /callback yields the authorization response.
#include "fuzz_input.hpp"
#include "oauthctl/loopback_redirect.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using oauth::fuzz::require;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  auto const& request = parser.get();
  auto const answer = oauthctl::answer_callback_request(request);
  // The three pages there are, whatever asked for them.
  auto page_for = [](char const* target) {
    return oauthctl::answer_callback_request({http::verb::get, target, 11}).page.body();
  };
  static std::string const done = page_for("/callback?code=c"), refused = page_for("/callback?error=e"),
                           elsewhere = page_for("/");
  auto const& body = answer.page.body();
  require(body == done || body == refused || body == elsewhere, "the page repeats nothing of the request");
  if (answer.params) {
    require(request.method() == http::verb::get && answer.page.result() == http::status::ok,
            "only a GET for /callback is the authorization response");
    require(body == (answer.params->contains("error") ? refused : done), "the page says what became of the answer");
  } else {
    require(answer.page.result() == http::status::not_found, "anything else is not found");
  }
  require(answer.page[http::field::cache_control] == "no-store" && answer.page["Referrer-Policy"] == "no-referrer",
          "the page a code passes through is neither cached nor referred");
  require(!answer.page.keep_alive(), "the listener closes after one answer");
  return 0;
}
