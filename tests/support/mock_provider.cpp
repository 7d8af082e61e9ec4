#include "support/mock_provider.hpp"

#include <oauth/crypto/pkce.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/encoding/form.hpp>
#include <oauth/detail/encoding/time.hpp>
#include <oauth/http/https_transport.hpp>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

namespace oauth::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Params = std::map<std::string, std::string>;

namespace {

std::string percent_decode(std::string_view in, bool plus_as_space) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+' && plus_as_space)
      out += ' ';
    else if (in[i] == '%' && i + 2 < in.size()) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else
      out += in[i];
  }
  return out;
}

Params parse_form(std::string_view body) {
  Params params;
  while (!body.empty()) {
    auto const amp = body.find('&');
    auto const pair = body.substr(0, amp);
    auto const eq = pair.find('=');
    if (!pair.empty())
      params[percent_decode(pair.substr(0, eq), true)] =
          eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return params;
}

std::string token(std::string_view prefix) { return std::string(prefix) + crypto::random_token(24).value(); }

std::string join(std::vector<std::string> const& items, char separator = ' ') {
  std::string out;
  for (auto const& item : items) out += (out.empty() ? "" : std::string(1, separator)) + item;
  return out;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> query_params(std::string const& url) {
  auto const q = url.find('?');
  if (q == std::string::npos) return {};
  return parse_form(std::string_view(url).substr(q + 1));
}

struct MockProvider::Impl {
  struct Grant {
    std::string redirect_uri;
    std::string challenge;
    std::vector<std::string> scopes;
    MockAccount account;
    bool offline = false;
  };
  struct Token {
    MockAccount account;
    std::vector<std::string> scopes;
    std::chrono::steady_clock::time_point expires;
    bool refresh = false;
    bool offline = false;
  };

  MockOptions options;
  asio::io_context context;
  asio::ip::tcp::acceptor acceptor{context};
  std::optional<asio::ssl::context> tls;
  std::thread thread;

  mutable std::mutex mutex;
  std::set<std::string> held;  ///< endpoints whose answers wait for release()
  MockAccount account;
  std::map<std::string, Grant> codes;
  std::set<std::string> used_codes;
  std::map<std::string, Token> tokens;
  std::map<std::string, std::string> refresh_with_access;  // access token -> refresh token issued with it
  std::map<std::string, std::string> predecessor;          // refresh token -> the one it replaced (grace)
  std::string last_refresh_issued;
  std::map<std::string, std::vector<std::string>> granted_scopes;  // account -> scopes (incremental)
  std::deque<Fault> faults;
  std::map<std::string, int> counts;
  int connections = 0;
  std::string server_name;
  std::vector<std::chrono::steady_clock::time_point> api_times;
  std::map<std::string, std::map<std::string, std::string>> headers;
  std::map<std::string, std::string> bodies;
  Params authorize_params;

  explicit Impl(MockOptions o) : options(std::move(o)) {
    if (options.tls) {
      tls.emplace(asio::ssl::context::tls_server);
      tls->use_certificate_chain(asio::buffer(options.tls->server_certificate_pem));
      tls->use_private_key(asio::buffer(options.tls->server_key_pem), asio::ssl::context::pem);
    }
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
  }

  // Coroutines hold a plain pointer: the Impl outlives its io_context's run.
  void start() {
    asio::co_spawn(context, accept_loop(this), asio::detached);
    thread = std::thread([this] { context.run(); });
  }

  void stop() {
    context.stop();
    if (thread.joinable()) thread.join();
    boost::system::error_code ec;
    acceptor.close(ec);
  }

  static asio::awaitable<void> accept_loop(Impl* self) {
    while (true) {
      auto [ec, socket] = co_await self->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      {
        std::lock_guard lock(self->mutex);
        ++self->connections;
      }
      asio::co_spawn(self->context, serve(self, std::move(socket)), asio::detached);
    }
  }

  static asio::awaitable<void> serve(Impl* self, asio::ip::tcp::socket socket) {
    beast::tcp_stream plain(std::move(socket));
    if (self->tls) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(plain), *self->tls);
      stream.next_layer().expires_after(std::chrono::seconds(10));
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      {
        char const* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        std::lock_guard lock(self->mutex);
        self->server_name = name != nullptr ? name : "";
      }
      co_await session(self, stream);
    } else {
      co_await session(self, plain);
    }
  }

  template <class Stream>
  static asio::awaitable<void> session(Impl* self, Stream& stream) {
    beast::flat_buffer buffer;
    while (true) {
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
      Request request;
      auto [read_error, n] = co_await http::async_read(stream, buffer, request, asio::as_tuple(asio::use_awaitable));
      if (read_error) co_return;
      auto [response, stall] = self->handle(request);
      if (stall.count() > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor, stall);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      // A held answer (hold()) waits, already counted, until the test releases it.
      while (self->holds(request)) {
        asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(2));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      if (auto raw = self->take_raw_answer()) {
        // Written as it is, then the connection ends (HTTP/1.0's way of ending a body).
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(120));
        std::size_t const step = raw->trickle ? 1 : raw->bytes.size();
        for (std::size_t at = 0; at < raw->bytes.size(); at += step) {
          auto [write_error, w] = co_await asio::async_write(
              stream, asio::buffer(raw->bytes.data() + at, std::min(step, raw->bytes.size() - at)),
              asio::as_tuple(asio::use_awaitable));
          if (write_error) co_return;
          if (raw->trickle) {
            asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::seconds(1));
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
          }
        }
        co_return;
      }
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [write_error, w] = co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
      if (write_error || !response.keep_alive()) co_return;
    }
  }

  // ---- request handling ------------------------------------------------------------

  static bool is_api_path(std::string_view path) {
    return path == "/v1/search" || path.starts_with("/v1/users") || path == "/v1/echo" || path.starts_with("/v1.0/") ||
           path.starts_with("/calendar/");
  }

  std::string endpoint_of(std::string_view path) const {
    if (is_api_path(path)) return "api";
    if (path.ends_with("/authorize") || path.ends_with("/auth")) return "authorize";
    if (path.ends_with("/token")) return "token";
    if (path.ends_with("/revoke")) return "revoke";
    if (path.ends_with("/introspect")) return "introspect";
    if (path.ends_with("/userinfo") || path.ends_with("/channels")) return "userinfo";
    return "unknown";
  }

  static Response json_response(unsigned status, json::value const& body) {
    Response response{static_cast<http::status>(status), 11};
    response.set(http::field::content_type, "application/json; charset=utf-8");
    response.body() = json::serialize(body);
    return response;
  }

  /// An error in the provider's own shape.
  Response error(unsigned status, std::string const& code, std::string const& description) const {
    switch (options.flavor) {
      case Flavor::notion:
        return json_response(status, {{"object", "error"},
                                      {"status", status},
                                      {"code", code},
                                      {"message", description},
                                      {"request_id", "req-" + std::to_string(status)}});
      case Flavor::microsoft: {
        auto const aadsts = code == "invalid_client"  ? 7000215
                            : code == "invalid_scope" ? 70011
                            : code == "invalid_grant" ? 70000
                                                      : 900144;
        return json_response(status, {{"error", code},
                                      {"error_description", "AADSTS" + std::to_string(aadsts) + ": " + description +
                                                                " Trace ID: 0000 Correlation ID: 1111"},
                                      {"error_codes", json::array{aadsts}},
                                      {"timestamp", "2026-11-21 10:00:00Z"},
                                      {"trace_id", "0000"},
                                      {"correlation_id", "1111"}});
      }
      default: return json_response(status, {{"error", code}, {"error_description", description}});
    }
  }

  /// An API error in the provider's shape: Graph's {"error":{"code","message"}}, Google's
  /// {"error":{"code","message","errors":[{"reason"}],"status"}}, Notion's {"object":"error"}.
  /// `code` is Graph's name; the others are derived from the status.
  Response api_error(unsigned status, std::string const& code, std::string const& message) const {
    switch (options.flavor) {
      case Flavor::microsoft: return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
      case Flavor::notion: {
        auto const notion_code = status == 401   ? "unauthorized"
                                 : status == 403 ? "restricted_resource"
                                 : status == 404 ? "object_not_found"
                                 : status == 429 ? "rate_limited"
                                 : status == 529 ? "service_overload"
                                 : status == 502 ? "bad_gateway"
                                 : status == 504 ? "gateway_timeout"
                                 : status >= 500 ? "internal_server_error"
                                                 : "validation_error";
        return error(status, notion_code, message);
      }
      default: {
        auto const reason = status == 401   ? "authError"
                            : status == 403 ? "forbidden"
                            : status == 404 ? "notFound"
                            : status == 429 ? "rateLimitExceeded"
                            : status >= 500 ? "backendError"
                                            : "badRequest";
        auto const google_status = status == 401   ? "UNAUTHENTICATED"
                                   : status == 403 ? "PERMISSION_DENIED"
                                   : status == 404 ? "NOT_FOUND"
                                   : status == 429 ? "RESOURCE_EXHAUSTED"
                                   : status >= 500 ? "UNAVAILABLE"
                                                   : "INVALID_ARGUMENT";
        return json_response(status, {{"error",
                                       {{"code", status},
                                        {"message", message},
                                        {"errors", json::array{{{"reason", reason}, {"message", message}}}},
                                        {"status", google_status}}}});
      }
    }
  }

  void set_retry_after(Response& response, Fault const& fault) const {
    if (fault.retry_after_as_date) {
      auto const at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                      std::chrono::seconds(fault.retry_after_seconds);
      response.set(http::field::retry_after, detail::encoding::to_http_date(at));
    } else {
      response.set(http::field::retry_after, std::to_string(fault.retry_after_seconds));
    }
  }

  std::optional<std::pair<Response, std::chrono::milliseconds>> injected(std::string const& endpoint) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->endpoint != endpoint || it->kind == FaultKind::wrong_token_type) continue;
      Fault fault = *it;
      if (--it->times <= 0) faults.erase(it);
      switch (fault.kind) {
        case FaultKind::oauth_error:
          return std::pair{error(fault.error == "invalid_client" ? 401 : 400, fault.error, "injected " + fault.error),
                           std::chrono::milliseconds(0)};
        case FaultKind::rate_limited: {
          auto response =
              endpoint == "api"
                  ? api_error(429, "TooManyRequests", "slow down")
                  : error(429, options.flavor == Flavor::notion ? "rate_limited" : "rate_limit_exceeded", "slow down");
          set_retry_after(response, fault);
          return std::pair{std::move(response), std::chrono::milliseconds(0)};
        }
        case FaultKind::server_error:
          return std::pair{
              error(500, options.flavor == Flavor::notion ? "internal_server_error" : "server_error", "backend error"),
              std::chrono::milliseconds(0)};
        case FaultKind::unavailable: {
          auto response = error(
              503, options.flavor == Flavor::notion ? "service_unavailable" : "temporarily_unavailable", "try later");
          set_retry_after(response, fault);
          return std::pair{std::move(response), std::chrono::milliseconds(0)};
        }
        case FaultKind::overloaded: {
          auto response = api_error(529, "ServiceOverload", "the service is overloaded");
          set_retry_after(response, fault);
          return std::pair{std::move(response), std::chrono::milliseconds(0)};
        }
        case FaultKind::bad_gateway:
          return std::pair{api_error(502, "BadGateway", "bad gateway"), std::chrono::milliseconds(0)};
        case FaultKind::gateway_timeout:
          return std::pair{api_error(504, "GatewayTimeout", "gateway timeout"), std::chrono::milliseconds(0)};
        case FaultKind::unauthorized:
          return std::pair{api_error(401, "InvalidAuthenticationToken", "access token is invalid"),
                           std::chrono::milliseconds(0)};
        case FaultKind::not_found:
          return std::pair{api_error(404, "ResourceNotFound", "Could not find the object"),
                           std::chrono::milliseconds(0)};
        case FaultKind::forbidden:
          return std::pair{api_error(403, "Forbidden", "Insufficient permissions"), std::chrono::milliseconds(0)};
        case FaultKind::stall: return std::pair{Response{}, fault.stall};
        case FaultKind::malformed_json: {
          Response response{http::status::ok, 11};
          response.set(http::field::content_type, "application/json");
          response.body() = R"({"access_token": "half-a-tok)";
          return std::pair{std::move(response), std::chrono::milliseconds(0)};
        }
        case FaultKind::oversized_json: {
          Response response{http::status::ok, 11};
          response.set(http::field::content_type, "application/json");
          response.body() = R"({"padding":")" + std::string(2 << 20, 'x') + R"("})";
          return std::pair{std::move(response), std::chrono::milliseconds(0)};
        }
        case FaultKind::wrong_token_type: break;  // applied while answering, by take_wrong_token_type
        case FaultKind::redirect: {
          Response response{http::status::found, 11};
          response.set(http::field::location, "https://elsewhere.example/collect");
          return std::pair{std::move(response), std::chrono::milliseconds(0)};
        }
        case FaultKind::hostile: return std::pair{hostile(fault.hostile), std::chrono::milliseconds(0)};
      }
    }
    return std::nullopt;
  }

  /// An answer written as bytes, past what Beast would write: framing that lies.
  struct RawAnswer {
    std::string bytes;
    bool trickle = false;  ///< one byte a second
  };
  std::optional<RawAnswer> raw_answer;

  std::optional<RawAnswer> take_raw_answer() {
    std::lock_guard lock(mutex);
    return std::exchange(raw_answer, std::nullopt);
  }

  /// A token endpoint's (or any JSON endpoint's) hostile answer.
  Response hostile(Hostile kind) {
    auto token = [](std::string expires_in) {
      return R"({"access_token":"at-hostile","token_type":"Bearer","expires_in":)" + expires_in + "}";
    };
    Response response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    switch (kind) {
      case Hostile::deep_json: response.body() = std::string(100'000, '[') + std::string(100'000, ']'); break;
      case Hostile::huge_string:
        response.body() = R"({"access_token":")" + std::string(1'000'000, 'a') + R"(","token_type":"Bearer"})";
        break;
      case Hostile::duplicate_keys:
        response.body() = R"({"access_token":"at-one","token_type":"Bearer","access_token":"at-two"})";
        break;
      case Hostile::invalid_utf8:
        response.body() = "{\"access_token\":\"at-\xff\xfe\xc3\",\"token_type\":\"Bearer\"}";
        break;
      case Hostile::expires_negative: response.body() = token("-3600"); break;
      case Hostile::expires_zero: response.body() = token("0"); break;
      case Hostile::expires_huge: response.body() = token("1e308"); break;
      case Hostile::expires_nan: response.body() = token("\"NaN\""); break;
      case Hostile::expires_two_to_63: response.body() = token("9223372036854775808"); break;
      case Hostile::forged_description:
        response.result(http::status::bad_request);
        response.body() =
            R"({"error":"invalid_grant","error_description":"denied\r\n{\"level\":\"info\",\"event\":\"forged\"}\u001b[2J\u001b[31mred"})";
        break;
      case Hostile::unrequested_gzip:
        response.set(http::field::content_encoding, "gzip");
        response.body() = std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + "not really deflate";
        break;
      case Hostile::ten_gigabytes:
        raw_answer = RawAnswer{
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            "10737418240\r\n\r\n{\"access_token\":"};
        break;
      case Hostile::bad_chunk_size:
        raw_answer = RawAnswer{
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            "ZZZ\r\n{\"access_token\":\"at\"}\r\n0\r\n\r\n"};
        break;
      case Hostile::trickle: {
        auto const body = token("3600");
        raw_answer = RawAnswer{"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body,
                               true};
        break;
      }
      case Hostile::http10: {
        auto const body = token("3600");
        raw_answer = RawAnswer{"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body};
        break;
      }
    }
    return response;
  }

  bool take_wrong_token_type() {
    auto it =
        std::find_if(faults.begin(), faults.end(), [](auto const& f) { return f.kind == FaultKind::wrong_token_type; });
    if (it == faults.end()) return false;
    if (--it->times <= 0) faults.erase(it);
    return true;
  }

  bool holds(Request const& request) {
    std::lock_guard lock(mutex);
    if (held.empty()) return false;
    auto target = boost::urls::parse_origin_form(request.target());
    return held.contains(endpoint_of(target ? std::string(target->path()) : std::string(request.target())));
  }

  std::pair<Response, std::chrono::milliseconds> handle(Request const& request) {
    std::lock_guard lock(mutex);
    auto target = boost::urls::parse_origin_form(request.target());
    std::string path = target ? std::string(target->path()) : std::string(request.target());
    auto const endpoint = endpoint_of(path);
    auto& recorded = headers[endpoint];
    recorded.clear();
    for (auto const& field : request)
      recorded[boost::algorithm::to_lower_copy(std::string(field.name_string()))] = field.value();
    bodies[endpoint] = request.body();

    Params query = target ? parse_form(target->encoded_query()) : Params{};
    // A stall delays an answer that is otherwise normal.
    std::chrono::milliseconds stall{0};
    if (endpoint == "api") api_times.push_back(std::chrono::steady_clock::now());
    if (auto fault = injected(endpoint)) {
      if (fault->second.count() == 0) {
        ++counts[endpoint];
        return {std::move(fault->first), stall};
      }
      stall = fault->second;
    }
    Response response;
    if (endpoint == "authorize" && options.consent_page && request.method() == http::verb::get)
      response = consent_page(query);
    else if (endpoint == "authorize" && options.consent_page)
      response = decide(parse_form(request.body()));
    else if (endpoint == "authorize")
      response = authorize(query);
    else if (endpoint == "token")
      response = token_endpoint(request);
    else if (endpoint == "userinfo")
      response = userinfo(request);
    else if (endpoint == "revoke")
      response = revoke(request, query);
    else if (endpoint == "introspect")
      response = introspect(request);
    else if (endpoint == "api")
      response = api(request, path, query);
    else
      response = error(404, "not_found", "no such endpoint");
    return {std::move(response), stall};
  }

  static std::string html_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
      }
    }
    return out;
  }

  /// What a provider shows before it asks the user: who wants what, Allow or Cancel. The
  /// request's parameters ride along in the form, as hidden fields.
  Response consent_page(Params const& query) const {
    std::string fields;
    for (auto const& [name, value] : query)
      fields += "<input type=\"hidden\" name=\"" + html_escape(name) + "\" value=\"" + html_escape(value) + "\">";
    auto scope = query.find("scope");
    auto const flavor = options.flavor == Flavor::google    ? "Google"
                        : options.flavor == Flavor::youtube ? "YouTube"
                        : options.flavor == Flavor::notion  ? "Notion"
                                                            : "Microsoft";
    std::string page =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + std::string(flavor) +
        " (mock): grant access</title></head><body><h1>" + std::string(flavor) + " (mock)</h1><p>Signed in as " +
        html_escape(account.email) + ".</p><p>An application (" +
        html_escape(query.count("client_id") ? query.at("client_id") : "") + ") asks for: " +
        html_escape(scope == query.end() || scope->second.empty() ? "access to pages you pick" : scope->second) +
        "</p><form method=\"post\">" + fields +
        "<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button> "
        "<button type=\"submit\" name=\"decision\" value=\"cancel\" id=\"cancel\">Cancel</button>"
        "</form></body></html>";
    Response response{http::status::ok, 11};
    response.set(http::field::content_type, "text/html; charset=utf-8");
    response.body() = std::move(page);
    return response;
  }

  /// The consent form's answer: the request as it was, approved or refused.
  Response decide(Params form) {
    auto const deny = options.deny_consent;
    options.deny_consent = deny || form["decision"] != "allow";
    form.erase("decision");
    auto response = authorize(form);
    options.deny_consent = deny;
    return response;
  }

  Response authorize(Params const& query) {
    ++counts["authorize"];
    authorize_params = query;
    auto get = [&](char const* name) {
      auto it = query.find(name);
      return it == query.end() ? std::string{} : it->second;
    };
    if (get("client_id") != options.client_id) return error(400, "invalid_client", "unknown client");
    if (get("response_type") != "code") return error(400, "unsupported_response_type", "code only");
    auto const redirect = get("redirect_uri");
    if (redirect.empty()) return error(400, "invalid_request", "redirect_uri missing");
    auto const& registered = options.registered_redirect_uris;
    if (!registered.empty() && std::none_of(registered.begin(), registered.end(), [&](auto const& uri) {
          return uri == redirect || (uri == "http://127.0.0.1" && redirect.starts_with("http://127.0.0.1:"));
        }))
      return error(400, "redirect_uri_mismatch", "the redirect URI is not registered for this client");
    if (options.flavor == Flavor::notion && get("owner") != "user")
      return error(400, "invalid_request", "owner=user is required");
    if (options.flavor != Flavor::notion && !get("code_challenge").empty() && get("code_challenge_method") != "S256")
      return error(400, "invalid_request", "S256 only in this mock");

    Response response{http::status::found, 11};
    auto const separator = redirect.find('?') == std::string::npos ? "?" : "&";
    auto issuer = options.iss;
    if (!issuer && (options.flavor == Flavor::google || options.flavor == Flavor::youtube))
      issuer = "https://accounts.google.com";
    std::string const iss =
        issuer && !issuer->empty() ? "&iss=" + oauth::detail::encoding::form_urlencode(*issuer) : std::string();
    if (options.deny_consent) {
      response.set(http::field::location, redirect + separator + "error=access_denied&state=" + get("state") + iss);
      return response;
    }
    Grant grant;
    grant.redirect_uri = redirect;
    grant.challenge = get("code_challenge");
    grant.scopes = split(get("scope"));
    grant.account = account;
    switch (options.flavor) {
      case Flavor::google:
      case Flavor::youtube:
        grant.offline = get("access_type") == "offline";
        if (get("include_granted_scopes") == "true") {
          auto& granted = granted_scopes[account.id];
          for (auto const& s : granted)
            if (std::find(grant.scopes.begin(), grant.scopes.end(), s) == grant.scopes.end()) grant.scopes.push_back(s);
        }
        break;
      case Flavor::microsoft:
        grant.offline = std::find(grant.scopes.begin(), grant.scopes.end(), "offline_access") != grant.scopes.end();
        break;
      case Flavor::notion: grant.offline = true; break;
    }
    auto code = token("code-");
    codes[code] = grant;
    response.set(http::field::location, redirect + separator + "code=" + code + "&state=" + get("state") + iss);
    return response;
  }

  /// The client's credentials, checked the provider's way.
  std::optional<Response> authenticate(Request const& request, Params const& body) const {
    std::string id, secret;
    auto const authorization = request[http::field::authorization];
    if (authorization.starts_with("Basic ")) {
      auto decoded = detail::encoding::base64_decode(authorization.substr(6), detail::encoding::Alphabet::standard);
      if (!decoded) return error(401, "invalid_client", "bad Basic header");
      std::string const& text = *decoded;
      auto const colon = text.find(':');
      id = percent_decode(text.substr(0, colon), true);
      secret = colon == std::string::npos ? "" : percent_decode(text.substr(colon + 1), true);
    } else {
      if (options.flavor == Flavor::notion) return error(401, "unauthorized", "Basic authentication required");
      if (auto it = body.find("client_id"); it != body.end()) id = it->second;
      if (auto it = body.find("client_secret"); it != body.end()) secret = it->second;
    }
    if (id != options.client_id || secret != options.client_secret)
      return error(401, "invalid_client", "client authentication failed");
    return std::nullopt;
  }

  std::optional<Params> read_body(Request const& request, Response& failure) const {
    if (options.flavor != Flavor::notion) return parse_form(request.body());
    if (request["Notion-Version"].empty()) {
      failure = error(400, "missing_version", "Notion-Version header is required");
      return std::nullopt;
    }
    boost::system::error_code ec;
    auto value = json::parse(request.body(), ec);
    if (ec || !value.is_object()) {
      failure = error(400, "invalid_json", "body is not JSON");
      return std::nullopt;
    }
    Params params;
    for (auto const& [key, v] : value.get_object())
      if (v.is_string()) params[std::string(key)] = v.get_string();
    return params;
  }

  Response token_endpoint(Request const& request) {
    Response failure;
    auto body = read_body(request, failure);
    if (!body) return ++counts["token"], failure;
    auto const grant_type = (*body)["grant_type"];
    ++counts["token." + grant_type];
    ++counts["token"];
    if (auto refused = authenticate(request, *body)) return *refused;

    if (grant_type == "authorization_code") {
      auto const code = (*body)["code"];
      auto it = codes.find(code);
      if (it == codes.end() || used_codes.contains(code))
        return error(400, "invalid_grant", "authorization code is invalid or was already redeemed");
      used_codes.insert(code);
      auto grant = it->second;
      if ((*body)["redirect_uri"] != grant.redirect_uri) return error(400, "invalid_grant", "redirect_uri mismatch");
      if (!grant.challenge.empty()) {
        auto const verifier = (*body)["code_verifier"];
        auto challenge = crypto::code_challenge_s256(CodeVerifier(verifier));
        if (!challenge || *challenge != grant.challenge) return error(400, "invalid_grant", "PKCE verification failed");
      }
      granted_scopes[grant.account.id] = grant.scopes;
      return issue(grant.account, grant.scopes, grant.offline);
    }
    if (grant_type == "refresh_token") {
      auto const presented = (*body)["refresh_token"];
      auto it = tokens.find(presented);
      if (it == tokens.end() || !it->second.refresh) return error(400, "invalid_grant", "refresh token is invalid");
      auto const held = it->second;
      bool const rotates = options.flavor == Flavor::microsoft || options.flavor == Flavor::notion;
      // Using a token ends its predecessor's grace.
      if (auto older = predecessor.find(presented); older != predecessor.end()) {
        tokens.erase(older->second);
        predecessor.erase(older);
      }
      if (rotates && !options.rotation_grace) tokens.erase(it);
      auto response = issue(held.account, held.scopes, rotates);
      if (rotates && options.rotation_grace) predecessor[last_refresh_issued] = presented;
      return response;
    }
    return error(400, "unsupported_grant_type", "grant type not supported");
  }

  Response issue(MockAccount const& who, std::vector<std::string> const& scopes, bool with_refresh) {
    auto const now = std::chrono::steady_clock::now();
    auto access = token(options.flavor == Flavor::google || options.flavor == Flavor::youtube ? "ya29." : "at-");
    tokens[access] = Token{who, scopes, now + options.access_token_lifetime, false, false};
    json::object out;
    out["access_token"] = access;
    out["token_type"] = take_wrong_token_type() ? "mac" : (options.flavor == Flavor::notion ? "bearer" : "Bearer");
    if (with_refresh) {
      auto refresh = token("rt-");
      tokens[refresh] = Token{who, scopes, now + std::chrono::hours(24 * 90), true, true};
      out["refresh_token"] = refresh;
      refresh_with_access[access] = refresh;
      last_refresh_issued = refresh;
    }
    if (options.flavor == Flavor::notion) {
      out["bot_id"] = "bot-" + who.workspace_id;
      out["workspace_id"] = who.workspace_id;
      out["workspace_name"] = who.workspace_name;
      out["workspace_icon"] = json::value(nullptr);
      out["duplicated_template_id"] = json::value(nullptr);
      out["request_id"] = "req-1";
      if (who.owned_by_workspace) {
        out["owner"] = {{"type", "workspace"}, {"workspace", true}};
      } else {
        out["owner"] = {{"type", "user"},
                        {"user",
                         {{"object", "user"},
                          {"id", who.id},
                          {"name", who.name},
                          {"avatar_url", nullptr},
                          {"type", "person"},
                          {"person", {{"email", who.email}}}}}};
      }
      if (!with_refresh) out["refresh_token"] = nullptr;
    } else {
      auto const lifetime = options.access_token_lifetime.count();
      if (options.expires_in_as_string)
        out["expires_in"] = std::to_string(lifetime);
      else
        out["expires_in"] = lifetime;
      if (options.scope_as_array) {
        json::array array;
        for (auto const& s : scopes) array.emplace_back(s);
        out["scope"] = std::move(array);
      } else {
        out["scope"] = join(scopes);
      }
      if (options.flavor == Flavor::microsoft) out["ext_expires_in"] = lifetime;
    }
    return json_response(200, out);
  }

  Token const* bearer(Request const& request) const {
    auto const authorization = request[http::field::authorization];
    if (!authorization.starts_with("Bearer ")) return nullptr;
    auto it = tokens.find(std::string(authorization.substr(7)));
    if (it == tokens.end() || it->second.refresh || it->second.expires < std::chrono::steady_clock::now())
      return nullptr;
    return &it->second;
  }

  Response userinfo(Request const& request) {
    ++counts["userinfo"];
    auto const* held = bearer(request);
    if (held == nullptr) return api_error(401, "InvalidAuthenticationToken", "access token is invalid or expired");
    auto const& who = held->account;
    switch (options.flavor) {
      case Flavor::youtube:
        return json_response(
            200,
            {{"kind", "youtube#channelListResponse"},
             {"items", json::array{{{"kind", "youtube#channel"},
                                    {"id", "UC" + who.id},
                                    {"snippet",
                                     {{"title", who.name},
                                      {"thumbnails", {{"default", {{"url", "https://yt.example/" + who.id}}}}}}}}}}});
      case Flavor::microsoft:
        return json_response(
            200,
            {{"sub", who.id}, {"name", who.name}, {"email", who.email}, {"picture", "https://graph.example/photo"}});
      default:
        return json_response(200, {{"sub", who.id},
                                   {"email", who.email},
                                   {"email_verified", true},
                                   {"name", who.name},
                                   {"picture", "https://lh3.example/" + who.id}});
    }
  }

  // ---- the providers' APIs ------------------------------------------------------------

  std::string own_base_url() const {
    return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
  }

  static std::string uuid(int n, int series) {
    char text[40];
    std::snprintf(text, sizeof text, "%08x-0000-4000-8000-%012x", n + 1, series);
    return text;
  }

  /// Items [from, from + count) of the API's list, in the provider's shape.
  json::array api_items(int from, int count) const {
    json::array items;
    for (int i = from; i < std::min(from + count, options.api_items); ++i) {
      auto const n = std::to_string(i);
      switch (options.flavor) {
        case Flavor::notion: {
          json::object icon = i % 2 == 0 ? json::object{{"type", "emoji"}, {"emoji", "\xF0\x9F\x93\x9A"}}
                                         : json::object{{"type", "external"},
                                                        {"external", {{"url", "https://img.example/" + n + ".png"}}}};
          items.push_back(
              {{"object", "data_source"},
               {"id", uuid(i, 1)},
               {"title",
                json::array{
                    {{"type", "text"}, {"text", {{"content", "Database " + n}}}, {"plain_text", "Database " + n}}}},
               {"icon", icon},
               {"properties",
                {{"Name", {{"id", "title"}, {"name", "Name"}, {"type", "title"}, {"title", json::object{}}}},
                 {"Done", {{"id", "d0n3"}, {"name", "Done"}, {"type", "checkbox"}, {"checkbox", json::object{}}}}}},
               {"parent", {{"type", "database_id"}, {"database_id", uuid(i, 2)}}},
               {"in_trash", false}});
          break;
        }
        case Flavor::microsoft: items.push_back({{"id", "message-" + n}, {"subject", "Message " + n}}); break;
        default:
          items.push_back(
              {{"kind", "calendar#calendarListEntry"}, {"id", "calendar-" + n}, {"summary", "Calendar " + n}});
      }
    }
    return items;
  }

  Response api(Request const& request, std::string const& path, Params const& query) {
    ++counts["api"];
    ++counts["api " + std::string(request.method_string()) + " " + path];
    if (options.flavor == Flavor::notion && request["Notion-Version"].empty())
      return error(400, "missing_version", "Notion-Version header is required");
    auto const* held = bearer(request);
    if (held == nullptr) return api_error(401, "InvalidAuthenticationToken", "API token is invalid.");
    auto const page_size = options.api_page_size;
    auto offset = [](std::string_view text, std::string_view prefix) {
      return text.starts_with(prefix) ? std::atoi(std::string(text.substr(prefix.size())).c_str()) : 0;
    };
    if (path == "/v1/echo")
      return json_response(200, {{"method", std::string(request.method_string())}, {"body", request.body()}});
    if (options.flavor == Flavor::notion && path == "/v1/users/me")
      return json_response(200, {{"object", "user"},
                                 {"id", uuid(0, 9)},
                                 {"type", "bot"},
                                 {"name", "Mock integration"},
                                 {"bot",
                                  {{"owner", {{"type", "workspace"}, {"workspace", true}}},
                                   {"workspace_name", held->account.workspace_name}}}});
    if (options.flavor == Flavor::notion && path == "/v1/search" && request.method() == http::verb::post) {
      boost::system::error_code ec;
      auto body = json::parse(request.body(), ec);
      if (ec || !body.is_object()) return error(400, "invalid_json", "body is not JSON");
      auto const& o = body.get_object();
      auto const* filter = o.if_contains("filter");
      auto const* value =
          filter != nullptr && filter->is_object() ? filter->get_object().if_contains("value") : nullptr;
      if (filter != nullptr && (value == nullptr || !value->is_string() || value->get_string() == "database"))
        return error(400, "validation_error", "body.filter.value should be \"page\" or \"data_source\"");
      int size = page_size;
      if (auto const* asked = o.if_contains("page_size"); asked != nullptr && asked->is_int64())
        size = std::min<int>(size, static_cast<int>(asked->as_int64()));
      int from = 0;
      if (auto const* cursor = o.if_contains("start_cursor"); cursor != nullptr && cursor->is_string())
        from = offset(cursor->get_string(), "cursor-");
      bool const more = from + size < options.api_items;
      return json_response(200, {{"object", "list"},
                                 {"results", api_items(from, size)},
                                 {"next_cursor", more ? json::value("cursor-" + std::to_string(from + size)) : nullptr},
                                 {"has_more", more},
                                 {"type", "page_or_data_source"},
                                 {"page_or_data_source", json::object{}}});
    }
    if (options.flavor == Flavor::microsoft && path == "/v1.0/me/messages") {
      auto it = query.find("$skiptoken");
      int const from = it == query.end() ? 0 : offset(it->second, "");
      json::object out{{"@odata.context", "https://graph.microsoft.com/v1.0/$metadata#users('me')/messages"},
                       {"value", api_items(from, page_size)}};
      if (from + page_size < options.api_items)
        out["@odata.nextLink"] = own_base_url() + "/v1.0/me/messages?%24skiptoken=" + std::to_string(from + page_size);
      return json_response(200, out);
    }
    if ((options.flavor == Flavor::google || options.flavor == Flavor::youtube) &&
        path == "/calendar/v3/users/me/calendarList") {
      auto it = query.find("pageToken");
      int const from = it == query.end() ? 0 : offset(it->second, "page-");
      json::object out{{"kind", "calendar#calendarList"}, {"items", api_items(from, page_size)}};
      if (from + page_size < options.api_items) out["nextPageToken"] = "page-" + std::to_string(from + page_size);
      return json_response(200, out);
    }
    return api_error(404, "ResourceNotFound", "no such API resource");
  }

  void revoke_token(std::string const& value) {
    auto it = tokens.find(value);
    if (it == tokens.end()) return;
    auto const account_id = it->second.account.id;
    // Revoking either token of a grant ends the grant (Google and Notion both do so).
    std::erase_if(tokens, [&](auto const& entry) { return entry.second.account.id == account_id; });
  }

  Response revoke(Request const& request, Params const& query) {
    ++counts["revoke"];
    if (options.flavor == Flavor::notion) {
      Response failure;
      auto body = read_body(request, failure);
      if (!body) return failure;
      if (auto refused = authenticate(request, *body)) return *refused;
      auto const value = (*body)["token"];
      if (!tokens.contains(value)) return error(400, "invalid_grant", "token is not active");
      revoke_token(value);
      return json_response(200, {{"request_id", "req-revoke"}});
    }
    auto it = query.find("token");
    if (it == query.end() || !tokens.contains(it->second))
      return error(400, "invalid_token", "Token expired or revoked");
    revoke_token(it->second);
    return json_response(200, json::object{});
  }

  Response introspect(Request const& request) {
    ++counts["introspect"];
    Response failure;
    auto body = read_body(request, failure);
    if (!body) return failure;
    if (auto refused = authenticate(request, *body)) return *refused;
    auto it = tokens.find((*body)["token"]);
    if (it == tokens.end()) return json_response(200, {{"active", false}, {"request_id", "req-introspect"}});
    return json_response(200, {{"active", true}, {"scope", join(it->second.scopes)}, {"request_id", "req-introspect"}});
  }
};

MockProvider::MockProvider(MockOptions options) : impl_(std::make_shared<Impl>(std::move(options))) { impl_->start(); }

MockProvider::~MockProvider() { impl_->stop(); }

unsigned short MockProvider::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string MockProvider::base_url() const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

void MockProvider::fail(Fault fault) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(std::move(fault));
}

void MockProvider::hold(std::string endpoint) {
  std::lock_guard lock(impl_->mutex);
  impl_->held.insert(std::move(endpoint));
}

void MockProvider::release() {
  std::lock_guard lock(impl_->mutex);
  impl_->held.clear();
}

void MockProvider::set_account(MockAccount account) {
  std::lock_guard lock(impl_->mutex);
  impl_->account = std::move(account);
}

void MockProvider::set_deny_consent(bool deny) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.deny_consent = deny;
}

void MockProvider::set_iss(std::optional<std::string> iss) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.iss = std::move(iss);
}

void MockProvider::set_access_token_lifetime(std::chrono::seconds lifetime) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.access_token_lifetime = lifetime;
}

void MockProvider::revoke_everything() {
  std::lock_guard lock(impl_->mutex);
  impl_->tokens.clear();
}

void MockProvider::expire_access_tokens() {
  std::lock_guard lock(impl_->mutex);
  std::erase_if(impl_->tokens, [](auto const& entry) { return !entry.second.refresh; });
}

int MockProvider::requests(std::string const& endpoint) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->counts.find(endpoint);
  return it == impl_->counts.end() ? 0 : it->second;
}

std::vector<std::chrono::steady_clock::time_point> MockProvider::api_request_times() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->api_times;
}

void MockProvider::set_api_items(int count) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.api_items = count;
}

int MockProvider::connections_accepted() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

bool MockProvider::token_active(std::string const& token) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->tokens.contains(token);
}

std::optional<std::string> MockProvider::refresh_issued_with(std::string const& access_token) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->refresh_with_access.find(access_token);
  if (it == impl_->refresh_with_access.end()) return std::nullopt;
  return it->second;
}

std::string MockProvider::last_server_name() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->server_name;
}

std::map<std::string, std::string> MockProvider::last_headers(std::string const& endpoint) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->headers[endpoint];
}

std::string MockProvider::last_body(std::string const& endpoint) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->bodies[endpoint];
}

std::map<std::string, std::string> MockProvider::last_authorize_params() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->authorize_params;
}

ConsentResult consent(std::string const& authorization_url, TestCertificates const* tls) {
  asio::io_context context;
  auto tls_context = HttpsTransport::default_tls_context();
  if (tls) tls_context.add_certificate_authority(asio::buffer(tls->ca_pem));
  HttpsTransport browser(context.get_executor(), std::move(tls_context));
  HttpRequest request{HttpMethod::get, authorization_url, {}, {}};
  auto future = browser.async_send(std::move(request), asio::use_future);
  context.run();
  auto response = future.get();
  ConsentResult result;
  if (!response || response->status != 302) return result;
  result.location = std::string(response->header("Location"));
  auto params = query_params(result.location);
  result.code = params["code"];
  result.state = params["state"];
  result.error = params["error"];
  if (auto iss = params.find("iss"); iss != params.end()) result.iss = iss->second;
  return result;
}

}  // namespace oauth::testing
