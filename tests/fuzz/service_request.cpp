// The service's request handling end to end, in process: the raw bytes of one request
// read as its HTTP server reads them (limits, framing), then routed, authenticated and
// answered by the service over a memory store, with the providers out of reach. Whatever
// arrives, the answer is never a 500, always carries the security headers, redirects only
// to a configured return URL, repeats no bearer token or secret, and leaves one
// well-formed line in the access log.
#include "fuzz_input.hpp"
#include "oauth_service/access_log.hpp"
#include "oauth_service/http_server.hpp"
#include "oauth_service/metrics.hpp"
#include "oauth_service/service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <sstream>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using oauth::fuzz::require;

constexpr std::string_view bearer_secret = "fuzz-bearer-secret-0123456789abcdef";
constexpr std::string_view server_secret = "fuzz-server-secret-0123456789abcdef";
constexpr std::string_view client_secret = "fuzz-client-secret-0123456789";
constexpr std::string_view return_url = "https://app.example/settings/integrations";

struct Fixture {
  Fixture() : log(log_text) {
    oauth::service::ServiceConfig config;
    config.public_url = "https://oauth.example";
    config.store_url = "memory:";
    config.encryption_keys = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
    config.bearer_secret = bearer_secret;
    config.service_secret = server_secret;
    config.cors_origins = {"https://app.example"};
    config.return_urls = {std::string(return_url)};
    config.rate_limits = {0, 1, 0, 1};
    for (auto const* name : {"google", "microsoft", "notion", "youtube"})
      config.providers[name] = {"client-id", oauth::ClientSecret(std::string(client_secret)), "https://127.0.0.1:1"};
    limits = config.limits;
    auto opened = oauth::service::Service::open(std::move(config), io.get_executor(), log, metrics);
    if (auto* failed = std::get_if<std::string>(&opened)) oauth::fuzz::violated(failed->c_str());
    service = std::move(std::get<0>(opened));
  }

  asio::io_context io;
  std::ostringstream log_text;
  oauth::service::AccessLog log;
  oauth::service::Metrics metrics;
  oauth::service::Limits limits;
  std::unique_ptr<oauth::service::Service> service;
};

void check(oauth::service::Response const& response, std::string_view bearer, std::string const& log_text) {
  require(response.result_int() != 500, "no request makes the service fail");
  require(response["X-Content-Type-Options"] == "nosniff" && response["Referrer-Policy"] == "no-referrer" &&
              response.find(http::field::cache_control) != response.end(),
          "every answer carries the security headers");
  if (auto const location = response[http::field::location]; !location.empty())
    require(location == return_url || (location.starts_with(return_url) && location[return_url.size()] == '?'),
            "a redirect goes to a configured return URL only");
  auto const& body = response.body();
  for (auto secret : {bearer_secret, server_secret, client_secret})
    require(body.find(secret) == std::string::npos, "no secret is ever answered");
  // A token made the way callers make them (a JWT); the fuzzer's other "tokens" may be
  // copies of what the service says anyway.
  if (bearer.starts_with("eyJ") && std::count(bearer.begin(), bearer.end(), '.') == 2 && bearer.size() >= 40)
    require(body.find(bearer) == std::string::npos, "a bearer token is never repeated");
  for (auto const& field : response)
    if (field.name() == http::field::set_cookie)
      require(field.value().find("HttpOnly") != std::string_view::npos, "every cookie is HttpOnly");
  require(!log_text.empty() && log_text.back() == '\n' && log_text.find('\n') == log_text.size() - 1,
          "a request leaves one line in the access log");
  boost::system::error_code ec;
  boost::json::parse(log_text, ec);
  require(!ec, "an access log line is JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static Fixture fixture;
  fixture.log_text.str("");
  oauth::service::Peer const peer{"203.0.113.9"};

  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(fixture.limits.max_header_bytes));
  parser.body_limit(fixture.limits.max_body_bytes);
  parser.eager(false);
  boost::beast::error_code ec;
  auto const consumed = parser.put(asio::buffer(data, size), ec);
  std::optional<oauth::service::Refusal> refusal;
  if (ec == http::error::need_more) ec = {};
  if (!ec && parser.is_header_done()) {
    refusal = oauth::service::refuse_head(parser.get());
    if (!refusal && !parser.is_done()) {
      parser.eager(true);
      parser.put(asio::buffer(data + consumed, size - consumed), ec);
      if (!ec && !parser.is_done()) parser.put_eof(ec);
    }
  }
  if (ec) refusal = oauth::service::refusal_for(ec);
  if (refusal) {
    auto const response = fixture.service->refused(*refusal, peer);
    check(response, {}, fixture.log_text.str());
    return 0;
  }
  if (!parser.is_done()) return 0;  // the server would wait for the rest, or time out

  auto request = parser.release();
  std::string const authorization(request[http::field::authorization]);
  std::optional<oauth::service::Response> response;
  asio::co_spawn(fixture.io, fixture.service->handle(std::move(request), peer),
                 [&](std::exception_ptr failed, oauth::service::Response answer) {
                   if (failed) oauth::fuzz::violated("handling a request threw");
                   response = std::move(answer);
                 });
  fixture.io.restart();
  fixture.io.run();
  require(response.has_value(), "every request is answered");
  check(*response, authorization.size() > 7 ? std::string_view(authorization).substr(7) : std::string_view{},
        fixture.log_text.str());
  return 0;
}
