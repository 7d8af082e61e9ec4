#include "service.hpp"

#include "assets.hpp"
#include "bearer_token.hpp"
#include "common/providers.hpp"
#include "rate_limiter.hpp"
#include "timed_transport.hpp"

#include <oauth/detail/async/single_flight.hpp>
#include <oauth/oauth.hpp>
#include <oauth/store/open.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <fstream>
#include <limits>
#include <optional>
#include <span>
#include <sstream>
#include <type_traits>

namespace oauth::service {

namespace asio = boost::asio;
namespace json = boost::json;
using ServiceManager = examples::Providers::Manager;
using Store = TokenStore<store::AnyBackend>;

namespace {

constexpr std::string_view session_cookie = "oauth_session";
constexpr std::string_view return_cookie = "oauth_return";
constexpr std::string_view cookie_path = "/api/v1/oauth";

/// A request on its way through the service, and what its answer carries besides a body.
struct Exchange {
  Request request;
  Peer peer;
  std::string request_id = {};
  std::string path = {};
  std::string route = {};
  std::vector<std::string> params = {};  // the {placeholders} of the route, in order
  boost::urls::url_view query = {};
  std::optional<Caller> caller = {};
  std::string refusal = {};  // why the caller was refused, for the log only
  std::vector<std::string> set_cookies = {};

  std::string_view header(http::field field) const { return request[field]; }
  std::string query_param(std::string_view name) const { return optional_query_param(name).value_or(std::string()); }
  std::optional<std::string> optional_query_param(std::string_view name) const {
    auto it = query.params().find(name);
    if (it == query.params().end()) return std::nullopt;
    return std::string((*it).value);
  }
  std::string cookie(std::string_view name) const {
    std::string_view cookies = request[http::field::cookie];
    while (!cookies.empty()) {
      auto const end = cookies.find(';');
      auto pair = cookies.substr(0, end);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=')
        return std::string(pair.substr(name.size() + 1));
      if (end == std::string_view::npos) break;
      cookies.remove_prefix(end + 1);
    }
    return {};
  }
};

Response make_response(http::status status, std::string body, std::string_view content_type) {
  Response response{status, 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(http::status status, json::value const& body) {
  return make_response(status, json::serialize(body), "application/json");
}

Response error_response(unsigned status, std::string_view code, std::string_view message) {
  return json_response(static_cast<http::status>(status),
                       json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

Response redirect(std::string const& location) {
  Response response{http::status::found, 11};
  response.set(http::field::location, location);
  response.prepare_payload();
  return response;
}

Response error_response(UserFacingError const& facing, std::optional<std::chrono::seconds> retry_after = {}) {
  auto response = error_response(facing.http_status, facing.code, facing.message);
  if (retry_after) response.set(http::field::retry_after, std::to_string(retry_after->count()));
  return response;
}

/// How an error that names no provider is put to the caller.
UserFacingError generic_facing(Error const& e) {
  if (e == Errc::integration_not_found) return {"INTEGRATION_NOT_FOUND", 404, "That connection does not exist."};
  if (e == Errc::store_unavailable)
    return {"STORE_UNAVAILABLE", 503, "The token store cannot be reached right now. Please try again."};
  if (e == Errc::invalid_argument || e == Errc::unknown_scope) return {"INVALID_REQUEST", 400, e.message()};
  if (e == Errc::provider_not_configured)
    return {"PROVIDER_NOT_CONFIGURED", 409, "This provider is not configured on the service."};
  if (e == Errc::redirect_uri_not_allowed)
    return {"REDIRECT_URI_NOT_ALLOWED", 409, "The callback address is not registered for this provider."};
  return {"INTERNAL_ERROR", 500, "Something went wrong. Please try again."};
}

Response generic_error(Error const& e) { return error_response(generic_facing(e)); }

/// A provider's error as its traits would have the user read it; the service's own
/// failures (the store, the request) as the service words them.
template <class P>
UserFacingError facing(Error const& e, Operation operation) {
  if (e == Errc::integration_not_found || e == Errc::store_unavailable || e == Errc::invalid_argument ||
      e == Errc::unknown_scope || e == Errc::provider_not_configured || e == Errc::redirect_uri_not_allowed)
    return generic_facing(e);
  return user_facing_error<P>(e, operation);
}

std::optional<std::string> iso(std::optional<TimePoint> at) {
  if (!at) return std::nullopt;
  return oauth::detail::encoding::to_rfc3339(*at);
}

json::value nullable(std::optional<std::string> const& value) {
  if (!value) return nullptr;
  return json::value(*value);
}

/// An integration as a caller may see it: who, what was granted, its state. No token.
json::object integration_json(Integration const& integration) {
  json::object o;
  o["id"] = integration.id;
  o["provider"] = integration.provider;
  o["account_id"] = integration.account_id;
  o["status"] = to_string(integration.status);
  o["scopes"] = json::array(integration.scopes.begin(), integration.scopes.end());
  o["identity"] = to_json(integration.identity);
  o["expires_at"] = nullable(iso(integration.expires_at));
  o["created_at"] = oauth::detail::encoding::to_rfc3339(integration.created_at);
  o["updated_at"] = oauth::detail::encoding::to_rfc3339(integration.updated_at);
  o["last_used_at"] = nullable(iso(integration.last_used_at));
  o["last_validated_at"] = nullable(iso(integration.last_validated_at));
  return o;
}

json::object audit_json(AuditEvent const& event) {
  json::object o = to_json(event);
  o.erase("tenant_id");
  o.erase("user_id");
  return o;
}

/// An id no other request of this process has, and unlikely in any other: a random
/// prefix drawn once a thread, and a count. Ids name requests; they guard nothing.
std::string new_request_id() {
  thread_local std::string const prefix = crypto::random_token(9).value() + '-';
  thread_local std::uint64_t count = 0;
  return prefix + std::to_string(++count);
}

bool is_request_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string with_query(std::string url, std::vector<std::pair<std::string_view, std::string_view>> const& params) {
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  for (auto const& [name, value] : params) {
    url += separator;
    url += name;
    url += '=';
    url += percent_encode(value);
    separator = '&';
  }
  return url;
}

/// What one health check answers, written once for every request that shares the check.
struct HealthReport {
  http::status status = http::status::ok;
  std::string body = {};
};

/// The answer to a check that found the store answering in `store_ms` or failing with
/// `store_error`, and the encryption key working or failing with `key_error`.
HealthReport health_report(std::optional<std::string> const& store_error, double store_ms,
                           std::optional<std::string> const& key_error) {
  json::object checks;
  if (store_error)
    checks["store"] = json::object{{"status", "failing"}, {"error", std::string_view(*store_error)}};
  else
    checks["store"] = json::object{{"status", "ok"}, {"latency_ms", store_ms}};
  // That a key works, and nothing that tells one key from another: this route is open.
  if (key_error)
    checks["encryption_key"] = json::object{{"status", "failing"}, {"error", std::string_view(*key_error)}};
  else
    checks["encryption_key"] = json::object{{"status", "ok"}};
  bool const healthy = !store_error && !key_error;
  return {healthy ? http::status::ok : http::status::service_unavailable,
          json::serialize(json::object{{"status", healthy ? "ok" : "failing"}, {"checks", std::move(checks)}})};
}

}  // namespace

struct Service::Impl {
  using Handler = asio::awaitable<Response> (Impl::*)(Exchange&);
  struct Route {
    http::verb method;
    std::string_view pattern;
    Access access;
    Handler handler;
  };

  Impl(ServiceConfig config, asio::any_io_executor executor, AccessLog& log, Metrics& metrics,
       store::AnyBackend backend, crypto::Keyring keyring, HttpsTransport transport)
      : config(std::move(config)),
        log(log),
        metrics(metrics),
        health_keyring(keyring),
        store(std::move(backend), std::move(keyring)),
        manager(executor, store, TimedTransport(std::move(transport), metrics), manager_options(this->config)),
        per_user("user", this->config.rate_limits.per_user_per_minute, this->config.rate_limits.per_user_burst),
        per_address("address", this->config.rate_limits.per_address_per_minute,
                    this->config.rate_limits.per_address_burst) {}

  static ManagerOptions manager_options(ServiceConfig const& config) {
    ManagerOptions options;
    options.store_threads = config.store_threads;
    return options;
  }

  ServiceConfig config;
  AccessLog& log;
  Metrics& metrics;
  crypto::Keyring health_keyring;
  Store store;
  ServiceManager manager;
  RateLimiter per_user;
  RateLimiter per_address;
  oauth::detail::async::SingleFlight<HealthReport> health_checks;
  std::atomic<std::size_t> in_flight{0};  // requests between handle() and finish()

  static std::span<Route const> routes();

  // ---- the way through ------------------------------------------------------------

  asio::awaitable<Response> handle(Request request, Peer peer) {
    ++in_flight;
    auto const started = std::chrono::steady_clock::now();
    Exchange exchange{std::move(request), std::move(peer)};
    std::string_view const given_id = exchange.request["X-Request-Id"];
    exchange.request_id = is_request_id(given_id) ? std::string(given_id) : new_request_id();

    std::optional<Response> response;
    try {
      auto dispatching = dispatch(exchange);
      response = co_await std::move(dispatching);
    } catch (std::exception const&) {
      response.reset();
    }
    if (!response) {
      exchange.refusal = "internal error";
      response = error_response(500, "INTERNAL_ERROR", "Something went wrong. Please try again.");
    }
    finish(exchange, *response, started);
    co_return std::move(*response);
  }

  asio::awaitable<Response> dispatch(Exchange& exchange) {
    auto target = boost::urls::parse_origin_form(exchange.request.target());
    if (!target) co_return error_response(400, "INVALID_REQUEST", "The request target is not a path.");
    exchange.query = *target;
    exchange.path = std::string(target->encoded_path());
    exchange.route = "unmatched";

    if (per_address.enabled()) {
      auto limiting = limit(per_address, exchange.peer.address);
      if (auto limited = co_await std::move(limiting)) co_return std::move(*limited);
    }
    if (exchange.request.method() == http::verb::options) co_return preflight(exchange);

    auto const* route = match(exchange, *target);
    if (route == nullptr) co_return not_routed(exchange, *target);
    exchange.route = route->pattern;

    if (route->access == Access::user) {
      if (auto refused = authenticate(exchange, config.bearer_secret)) {
        auto auditing = audited(exchange, std::move(*refused));
        co_return co_await std::move(auditing);
      }
      if (per_user.enabled()) {
        auto limiting = limit(per_user, exchange.caller->tenant_id + '\n' + exchange.caller->user_id);
        if (auto limited = co_await std::move(limiting)) co_return std::move(*limited);
      }
    } else if (route->access == Access::server) {
      if (!exchange.header(http::field::origin).empty()) {
        exchange.refusal = "token route called from a browser";
        co_return error_response(403, "FORBIDDEN", "Tokens are handed to servers only.");
      }
      if (config.service_secret.empty()) {
        exchange.refusal = "no server-to-server secret configured";
        co_return error_response(403, "FORBIDDEN", "The token route is not enabled on this service.");
      }
      if (auto refused = authenticate(exchange, config.service_secret)) {
        auto auditing = audited(exchange, std::move(*refused));
        co_return co_await std::move(auditing);
      }
    }
    auto handling = (this->*(route->handler))(exchange);
    co_return co_await std::move(handling);
  }

  Route const* match(Exchange& exchange, boost::urls::url_view target) const {
    std::vector<std::string> segments;
    for (auto segment : target.segments()) segments.push_back(segment);
    for (auto const& route : routes()) {
      if (route.method != exchange.request.method()) continue;
      if (auto params = match_pattern(route.pattern, segments)) {
        exchange.params = std::move(*params);
        return &route;
      }
    }
    return nullptr;
  }

  static std::optional<std::vector<std::string>> match_pattern(std::string_view pattern,
                                                               std::vector<std::string> const& segments) {
    std::vector<std::string> params;
    pattern.remove_prefix(1);
    std::size_t i = 0;
    while (!pattern.empty()) {
      auto const slash = pattern.find('/');
      auto const part = pattern.substr(0, slash);
      if (i >= segments.size()) return std::nullopt;
      if (part.starts_with('{')) {
        if (segments[i].empty()) return std::nullopt;
        params.push_back(segments[i]);
      } else if (part != segments[i]) {
        return std::nullopt;
      }
      ++i;
      if (slash == std::string_view::npos) break;
      pattern.remove_prefix(slash + 1);
    }
    return i == segments.size() ? std::optional(std::move(params)) : std::nullopt;
  }

  /// 404 for a path no route has; 405 with Allow for a path routed for other methods.
  Response not_routed(Exchange& exchange, boost::urls::url_view target) const {
    std::vector<std::string> segments;
    for (auto segment : target.segments()) segments.push_back(segment);
    std::string allow;
    for (auto const& route : routes())
      if (match_pattern(route.pattern, segments))
        allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(route.method));
    if (allow.empty()) return error_response(404, "ROUTE_NOT_FOUND", "No such route.");
    exchange.route = "method_not_allowed";
    auto response = error_response(405, "METHOD_NOT_ALLOWED", "This route does not take that method.");
    response.set(http::field::allow, allow);
    return response;
  }

  /// A bearer token that verifies under `secret`, or a 401 that says only that it did not
  /// (audited()).
  std::optional<Response> authenticate(Exchange& exchange, std::string_view secret) {
    std::string_view const authorization = exchange.header(http::field::authorization);
    std::string reason;
    if (authorization.size() > 7 && (authorization.starts_with("Bearer ") || authorization.starts_with("bearer "))) {
      auto verdict =
          verify_bearer(authorization.substr(7), secret, config.bearer_rules, std::chrono::system_clock::now());
      if (auto* caller = std::get_if<Caller>(&verdict)) {
        exchange.caller = std::move(*caller);
        return std::nullopt;
      }
      reason = std::get<BearerRefusal>(verdict).reason;
    } else {
      reason = authorization.empty() ? "no bearer token" : "not a bearer token";
    }
    exchange.refusal = reason;
    auto response = error_response(401, "UNAUTHENTICATED", "A valid bearer token is required.");
    response.set(http::field::www_authenticate, "Bearer realm=\"oauth\"");
    return response;
  }

  /// `refusal`, once the refused bearer token is audited with the address and user agent.
  /// Nobody is named yet: the store samples these (every one is in the access log).
  asio::awaitable<Response> audited(Exchange const& exchange, Response refusal) {
    AuditEvent event{.at = Clock::now(),
                     .action = AuditAction::access_denied,
                     .success = false,
                     .reason = "bearer token refused (" + exchange.refusal + ") on " + exchange.route,
                     .client_ip = exchange.peer.address,
                     .user_agent = std::string(exchange.header(http::field::user_agent))};
    auto auditing = on_store([&] { (void)store.audit(std::move(event)); });
    co_await std::move(auditing);
    co_return refusal;
  }

  /// `f()`, a call of the store, where the manager makes its own: never on an I/O thread
  /// when the store may block.
  template <class F>
  asio::awaitable<std::invoke_result_t<F&>> on_store(F f) {
    co_return co_await asio::co_spawn(
        manager.store_executor(), [&]() -> asio::awaitable<std::invoke_result_t<F&>> { co_return f(); },
        asio::use_awaitable);
  }

  /// The caller's verdict under `limiter`, an enabled one: this process's bucket, then,
  /// when that lets the request by and the store keeps rate slots for every instance, the
  /// store's. A store that cannot answer leaves this process's verdict standing.
  asio::awaitable<std::optional<Response>> limit(RateLimiter& limiter, std::string caller) {
    auto slot = limiter.take_here(caller);
    if (slot.granted && store.shares_rate_slots()) {
      auto taking = on_store([&] {
        return store.reserve_rate_slot(limiter.bucket(caller), limiter.spacing(),
                                       oauth::store::SlotRequest::take_if_free);
      });
      if (auto shared = co_await std::move(taking)) slot = *shared;
    }
    if (slot.granted) co_return std::nullopt;
    metrics.count_rate_limited(limiter.kind());
    auto response = error_response(429, "RATE_LIMITED", "Too many requests. Please slow down.");
    response.set(http::field::retry_after, std::to_string(RateLimiter::retry_after(slot).count()));
    co_return response;
  }

  bool origin_allowed(std::string_view origin) const {
    if (origin.empty()) return false;
    return std::any_of(config.cors_origins.begin(), config.cors_origins.end(),
                       [&](auto const& allowed) { return allowed == origin || allowed == "*"; });
  }

  Response preflight(Exchange& exchange) {
    exchange.route = "preflight";
    if (!origin_allowed(exchange.header(http::field::origin)))
      return error_response(403, "ORIGIN_NOT_ALLOWED", "This origin may not call the service.");
    Response response{http::status::no_content, 11};
    response.set(http::field::access_control_allow_methods, "GET, POST, DELETE, OPTIONS");
    response.set(http::field::access_control_allow_headers, "Authorization, Content-Type, X-Request-Id");
    response.set(http::field::access_control_max_age, "600");
    return response;
  }

  /// What every answer gets: request id, security and CORS headers; then the log line
  /// and the metrics.
  void finish(Exchange const& exchange, Response& response, std::chrono::steady_clock::time_point started) {
    response.set("X-Request-Id", exchange.request_id);
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Frame-Options", "DENY");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Cross-Origin-Opener-Policy", "same-origin");
    if (!(response.find("Content-Security-Policy") != response.end()))
      response.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (response.find(http::field::cache_control) == response.end())
      response.set(http::field::cache_control, "no-store");
    if (config.public_url.starts_with("https://"))
      response.set(http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
    auto const origin = exchange.header(http::field::origin);
    if (origin_allowed(origin)) {
      response.set(http::field::access_control_allow_origin, origin);
      response.set(http::field::vary, "Origin");
      response.set(http::field::access_control_expose_headers, "X-Request-Id, Retry-After");
      if (config.cors_credentials) response.set(http::field::access_control_allow_credentials, "true");
    }
    for (auto const& cookie : exchange.set_cookies) response.insert(http::field::set_cookie, cookie);

    auto const elapsed = std::chrono::steady_clock::now() - started;
    metrics.observe_request(http::to_string(exchange.request.method()), exchange.route, response.result_int(), elapsed);
    json::object line{
        {"request_id", exchange.request_id},
        {"method", http::to_string(exchange.request.method())},
        {"path", exchange.path},
        {"route", exchange.route},
        {"status", response.result_int()},
        {"duration_us", std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()},
        {"bytes", response.body().size()},
        {"client_ip", exchange.peer.address},
    };
    if (exchange.caller) {
      line["tenant_id"] = exchange.caller->tenant_id;
      line["user_id"] = exchange.caller->user_id;
    }
    if (!exchange.refusal.empty()) line["refusal"] = exchange.refusal;
    log.hold(response.result_int() >= 500 ? "error" : "info", "request", std::move(line));
    // The last request in flight writes what the others held: under load lines go out
    // many at a time, and a service with nothing to do holds none back.
    if (in_flight.fetch_sub(1) == 1) log.flush();
  }

  std::string cookie(std::string_view name, std::string_view value, std::chrono::seconds max_age) const {
    std::string text = std::string(name) + '=' + std::string(value) + "; Path=" + std::string(cookie_path) +
                       "; Max-Age=" + std::to_string(max_age.count()) + "; HttpOnly; SameSite=Lax";
    if (config.public_url.starts_with("https://")) text += "; Secure";
    return text;
  }

  /// Calls `f(std::type_identity<P>{})` for the provider named `name` and awaits what it
  /// returns; 404 when no provider has that name.
  template <class F>
  asio::awaitable<Response> with_provider(std::string_view name, F f) {
    std::optional<asio::awaitable<Response>> pending;
    manager.visit_provider(name, [&](auto type) { pending.emplace(f(type)); });
    if (!pending) co_return error_response(404, "PROVIDER_NOT_FOUND", "No such provider.");
    co_return co_await std::move(*pending);
  }

  // ---- routes -----------------------------------------------------------------------

  asio::awaitable<Response> root(Exchange&) {
    co_return json_response(http::status::ok, json::object{{"service", "oauth"},
                                                           {"version", std::to_string(OAUTH_VERSION_MAJOR) + '.' +
                                                                           std::to_string(OAUTH_VERSION_MINOR) + '.' +
                                                                           std::to_string(OAUTH_VERSION_PATCH)},
                                                           {"status", "ok"},
                                                           {"connect_page", config.connect_page_url()},
                                                           {"openapi", config.public_url + "/openapi.json"}});
  }

  /// One check, on the store's side: a read of the store and a token sealed and opened.
  asio::awaitable<Result<HealthReport>> check_health() {
    metrics.count_health_check();
    auto checking = on_store([this] {
      auto const started = std::chrono::steady_clock::now();
      auto catalogue = store.scope_catalogue(providers::Google::name);
      auto const store_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
      std::optional<std::string> store_error, key_error;
      if (!catalogue) store_error = catalogue.error().code.message();
      auto sealed = health_keyring.encrypt("health check");
      auto opened = sealed ? health_keyring.decrypt(*sealed) : Result<crypto::Decrypted>(sealed.error());
      if (!opened) key_error = opened.error().code.message();
      return Result<HealthReport>(health_report(store_error, store_ms.count(), key_error));
    });
    co_return co_await std::move(checking);
  }

  /// Requests that arrive while a check is under way share it: under load one check
  /// answers many, and every answer comes from a check that ended after its request came.
  asio::awaitable<Response> health(Exchange&) {
    auto checking = health_checks.run("health", [this] { return check_health(); });
    auto checked = co_await std::move(checking);
    if (!checked) co_return generic_error(checked.error());
    co_return make_response(checked->status, std::move(checked->body), "application/json");
  }

  asio::awaitable<Response> prometheus(Exchange&) {
    co_return make_response(http::status::ok, metrics.exposition(), "text/plain; version=0.0.4; charset=utf-8");
  }

  static Response asset(std::string_view name) {
    auto const* found = find_asset(name);
    if (found == nullptr) return error_response(404, "ROUTE_NOT_FOUND", "No such route.");
    auto response = make_response(http::status::ok, std::string(found->body), found->content_type);
    response.set(http::field::cache_control, "no-cache");
    return response;
  }

  asio::awaitable<Response> openapi(Exchange&) { co_return asset("openapi.json"); }

  asio::awaitable<Response> connect_page(Exchange&) {
    auto response = asset("connect.html");
    response.set("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
                 "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
    co_return response;
  }
  asio::awaitable<Response> connect_script(Exchange&) { co_return asset("connect.js"); }
  asio::awaitable<Response> connect_style(Exchange&) { co_return asset("connect.css"); }

  /// Who the bearer token names, for a page to show before it acts under it.
  asio::awaitable<Response> me(Exchange& exchange) {
    co_return json_response(http::status::ok, json::object{{"user_id", exchange.caller->user_id},
                                                           {"tenant_id", exchange.caller->tenant_id}});
  }

  asio::awaitable<Response> list_providers(Exchange&) {
    json::array list;
    boost::hana::for_each(examples::Providers::types, [&](auto type) {
      using P = typename decltype(type)::type;
      json::array scopes;
      for (auto const& scope : scope_records<P>())
        scopes.push_back(json::object{{"name", scope.name},
                                      {"description", scope.description},
                                      {"category", scope.category},
                                      {"set", scope.set},
                                      {"required", scope.required},
                                      {"dangerous", scope.dangerous}});
      list.push_back(json::object{{"name", P::name},
                                  {"configured", config.providers.contains(std::string(P::name))},
                                  {"supports_refresh", P::supports_refresh},
                                  {"supports_revocation", Revocable<P>},
                                  {"supports_pkce", P::supports_pkce},
                                  {"scopes", std::move(scopes)}});
    });
    co_return json_response(http::status::ok, json::object{{"providers", std::move(list)}});
  }

  asio::awaitable<Response> authorize(Exchange& exchange) {
    json::object body;
    if (!exchange.request.body().empty()) {
      boost::system::error_code ec;
      auto parsed = json::parse(exchange.request.body(), ec);
      if (ec || !parsed.is_object())
        co_return error_response(400, "INVALID_REQUEST", "The body must be a JSON object.");
      body = std::move(parsed.as_object());
    }
    FlowRequest flow;
    flow.tenant_id = exchange.caller->tenant_id;
    flow.user_id = exchange.caller->user_id;
    if (auto const* scopes = body.if_contains("scopes")) {
      if (!scopes->is_array())
        co_return error_response(400, "INVALID_REQUEST", "scopes must be a list of scope names.");
      for (auto const& scope : scopes->as_array()) {
        if (!scope.is_string())
          co_return error_response(400, "INVALID_REQUEST", "scopes must be a list of scope names.");
        flow.scopes.emplace_back(scope.as_string());
      }
    }
    std::string return_to = config.return_urls.front();
    if (auto const* given = body.if_contains("return_to")) {
      if (!given->is_string() || std::find(config.return_urls.begin(), config.return_urls.end(), given->as_string()) ==
                                     config.return_urls.end())
        co_return error_response(400, "RETURN_URL_NOT_ALLOWED", "return_to is not one of the service's return URLs.");
      return_to = given->as_string();
    }
    if (auto const* hint = body.if_contains("login_hint"); hint != nullptr && hint->is_string())
      flow.extra_params.emplace_back("login_hint", std::string(hint->as_string()));

    flow.session_id = exchange.cookie(session_cookie);
    if (flow.session_id.size() < 32) {
      flow.session_id = crypto::random_token(32).value();
      exchange.set_cookies.push_back(cookie(session_cookie, flow.session_id, std::chrono::hours(24)));
    }
    auto const provider = exchange.params[0];
    flow.redirect_uri = config.callback_url(provider);
    exchange.set_cookies.push_back(cookie(return_cookie, percent_encode(return_to), std::chrono::seconds(3600)));
    co_return co_await with_provider(provider, [&](auto type) -> asio::awaitable<Response> {
      using P = typename decltype(type)::type;
      auto starting = manager.async_initiate_flow<P>(flow, asio::use_awaitable);
      auto started = co_await std::move(starting);
      if (!started) co_return error_response(facing<P>(started.error(), Operation::connect));
      co_return json_response(http::status::ok,
                              json::object{{"provider", P::name},
                                           {"authorization_url", started->authorization_url},
                                           {"state", started->state},
                                           {"expires_at", oauth::detail::encoding::to_rfc3339(started->expires_at)}});
    });
  }

  std::string return_url(Exchange const& exchange) const {
    auto const stored = exchange.cookie(return_cookie);
    auto encoded = boost::urls::make_pct_string_view(stored);
    std::string const url = encoded ? encoded->decode() : std::string();
    if (std::find(config.return_urls.begin(), config.return_urls.end(), url) != config.return_urls.end()) return url;
    return config.return_urls.front();
  }

  asio::awaitable<Response> callback(Exchange& exchange) {
    FlowCallback callback;
    callback.state = exchange.query_param("state");
    callback.code = AuthorizationCode(exchange.query_param("code"));
    callback.error = exchange.query_param("error");
    callback.error_description = exchange.query_param("error_description");
    callback.iss = exchange.optional_query_param("iss");
    callback.session_id = exchange.cookie(session_cookie);
    callback.client_ip = exchange.peer.address;
    callback.user_agent = std::string(exchange.header(http::field::user_agent));
    auto const back = return_url(exchange);
    exchange.set_cookies.push_back(cookie(return_cookie, "", std::chrono::seconds(0)));
    auto const provider = exchange.params[0];
    co_return co_await with_provider(provider, [&](auto type) -> asio::awaitable<Response> {
      using P = typename decltype(type)::type;
      auto completing = manager.async_complete_flow<P>(std::move(callback), asio::use_awaitable);
      auto completed = co_await std::move(completing);
      if (!completed) {
        auto const failure = facing<P>(completed.error(), Operation::connect);
        metrics.count_failure(P::name, "connect", failure.code);
        exchange.refusal = completed.error().code.message();
        co_return redirect(
            with_query(back, {{"provider", P::name}, {"error", failure.code}, {"message", failure.message}}));
      }
      co_return redirect(with_query(back, {{"provider", P::name}, {"connected", completed->id}}));
    });
  }

  asio::awaitable<Response> list_integrations(Exchange& exchange) {
    auto listing =
        manager.async_integrations(exchange.caller->tenant_id, exchange.caller->user_id, asio::use_awaitable);
    auto integrations = co_await std::move(listing);
    if (!integrations) co_return generic_error(integrations.error());
    bool const all = exchange.query_param("include_disconnected") == "true";
    json::array list;
    for (auto const& integration : *integrations)
      if (all || integration.status != IntegrationStatus::disconnected) list.push_back(integration_json(integration));
    co_return json_response(http::status::ok, json::object{{"integrations", std::move(list)}});
  }

  asio::awaitable<Response> get_integration(Exchange& exchange) {
    auto finding = manager.async_integration(exchange.caller->tenant_id, exchange.caller->user_id, exchange.params[0],
                                             asio::use_awaitable);
    auto integration = co_await std::move(finding);
    if (!integration) co_return generic_error(integration.error());
    co_return json_response(http::status::ok, integration_json(*integration));
  }

  /// Calls `f(std::type_identity<P>{}, integration)` for the caller's integration named in
  /// the path, and awaits what it returns.
  template <class F>
  asio::awaitable<Response> with_integration(Exchange& exchange, F f) {
    auto const& caller = *exchange.caller;
    auto finding = manager.async_integration(caller.tenant_id, caller.user_id, exchange.params[0], asio::use_awaitable);
    auto integration = co_await std::move(finding);
    if (!integration) co_return generic_error(integration.error());
    co_return co_await with_provider(integration->provider, [&](auto type) { return f(type, *integration); });
  }

  /// The answer to `failed`, from an operation on the integration named in the path by
  /// its id alone: the service's own failures in its words, the others by
  /// `f(std::type_identity<P>{})` in the words of the integration's provider P, which the
  /// integration read again names (failures are rare; success needs no second read).
  template <class F>
  asio::awaitable<Response> by_id_failure(Exchange& exchange, Error const& failed, F f) {
    if (failed == Errc::integration_not_found || failed == Errc::store_unavailable ||
        failed == Errc::provider_not_configured)
      co_return generic_error(failed);
    co_return co_await with_integration(exchange, [&](auto type, Integration const&) { return f(type); });
  }

  asio::awaitable<Response> refresh(Exchange& exchange) {
    auto const& caller = *exchange.caller;
    auto refreshing =
        manager.async_refresh_by_id(caller.tenant_id, caller.user_id, exchange.params[0], asio::use_awaitable);
    auto refreshed = co_await std::move(refreshing);
    if (refreshed) {
      metrics.count_refresh(refreshed->provider, "ok");
      co_return json_response(
          http::status::ok, json::object{{"integration_id", refreshed->integration_id},
                                         {"refreshed", true},
                                         {"expires_at", nullable(iso(refreshed->expires_at))},
                                         {"scopes", json::array(refreshed->scopes.begin(), refreshed->scopes.end())}});
    }
    auto const& failed = refreshed.error();
    co_return co_await by_id_failure(exchange, failed, [&](auto type) -> asio::awaitable<Response> {
      using P = typename decltype(type)::type;
      if (failed == Errc::refresh_unsupported)
        co_return error_response(409, "REFRESH_NOT_SUPPORTED",
                                 std::string(P::name) + " tokens do not expire and cannot be refreshed.");
      auto const failure = facing<P>(failed, Operation::use);
      metrics.count_refresh(P::name, "failed");
      metrics.count_failure(P::name, "refresh", failure.code);
      co_return error_response(failure, failed.retry_after);
    });
  }

  asio::awaitable<Response> disconnect(Exchange& exchange) {
    auto const& caller = *exchange.caller;
    return with_integration(exchange, [&](auto type, Integration const& integration) -> asio::awaitable<Response> {
      using P = typename decltype(type)::type;
      auto disconnecting =
          manager.async_disconnect<P>(caller.tenant_id, caller.user_id, integration.id, asio::use_awaitable);
      auto done = co_await std::move(disconnecting);
      if (!done) co_return error_response(facing<P>(done.error(), Operation::use), done.error().retry_after);
      json::object body{{"integration", integration_json(done->integration)},
                        {"revoked_at_provider", done->revoked_at_provider}};
      if (done->revocation_error) {
        auto const failure = facing<P>(*done->revocation_error, Operation::use);
        metrics.count_failure(P::name, "revoke", failure.code);
        body["revocation_error"] = json::object{{"code", failure.code}, {"message", failure.message}};
      }
      co_return json_response(http::status::ok, body);
    });
  }

  /// The hot route: one read of the store names the provider, and a fresh token is
  /// decrypted and handed out. Only a failure reads the integration again, to put it in
  /// its provider's words.
  asio::awaitable<Response> token(Exchange& exchange) {
    auto const& caller = *exchange.caller;
    auto getting =
        manager.async_get_access_token_by_id(caller.tenant_id, caller.user_id, exchange.params[0], asio::use_awaitable);
    auto grant = co_await std::move(getting);
    if (grant) {
      if (grant->refreshed) metrics.count_refresh(grant->provider, "ok");
      co_return json_response(http::status::ok,
                              json::object{{"integration_id", grant->integration_id},
                                           {"access_token", grant->access_token.reveal()},
                                           {"token_type", "Bearer"},
                                           {"expires_at", nullable(iso(grant->expires_at))},
                                           {"scopes", json::array(grant->scopes.begin(), grant->scopes.end())},
                                           {"refreshed", grant->refreshed}});
    }
    auto const& failed = grant.error();
    co_return co_await by_id_failure(exchange, failed, [&](auto type) -> asio::awaitable<Response> {
      using P = typename decltype(type)::type;
      auto const failure = facing<P>(failed, Operation::use);
      metrics.count_failure(P::name, "token", failure.code);
      co_return error_response(failure, failed.retry_after);
    });
  }

  /// Asks the provider whether the integration still works. One it refuses is marked as
  /// needing the user again, and the answer is the provider's "reconnect" error.
  asio::awaitable<Response> validate(Exchange& exchange) {
    auto const& caller = *exchange.caller;
    return with_integration(exchange, [&](auto type, Integration const& integration) -> asio::awaitable<Response> {
      using P = typename decltype(type)::type;
      auto validating =
          manager.async_validate<P>(caller.tenant_id, caller.user_id, integration.id, asio::use_awaitable);
      auto checked = co_await std::move(validating);
      if (!checked) {
        auto const failure = facing<P>(checked.error(), Operation::use);
        metrics.count_failure(P::name, "validate", failure.code);
        co_return error_response(failure, checked.error().retry_after);
      }
      if (!checked->valid) {
        auto const failure = facing<P>(*checked->problem, Operation::use);
        metrics.count_failure(P::name, "validate", failure.code);
        exchange.refusal = checked->problem->code.message();
        co_return error_response(failure);
      }
      co_return json_response(http::status::ok,
                              json::object{{"integration", integration_json(checked->integration)}, {"valid", true}});
    });
  }

  static json::object database_json(providers::notion::Database const& database, bool whole) {
    json::value icon = nullptr;
    if (database.icon) icon = json::object{{"type", to_string(database.icon->kind)}, {"value", database.icon->value}};
    json::object o{{"id", database.id},
                   {"title", database.title},
                   {"icon", std::move(icon)},
                   {"properties", database.properties},
                   {"database_id", database.database_id ? json::value(*database.database_id) : json::value(nullptr)},
                   {"refreshed_at", oauth::detail::encoding::to_rfc3339(database.refreshed_at)}};
    if (whole) o["object"] = database.object;
    return o;
  }

  /// A Notion databases route's failure: another provider's connection has none (409).
  Response databases_error(Error const& error) {
    if (error == Errc::invalid_argument)
      return error_response(409, "DATABASES_NOT_SUPPORTED", "Only Notion connections have databases.");
    auto const failure = facing<providers::Notion>(error, Operation::use);
    metrics.count_failure(providers::Notion::name, "databases", failure.code);
    return error_response(failure, error.retry_after);
  }

  /// The integration's Notion databases, from the cache; listed at Notion first when
  /// asked to (`?refresh=true`) or when nothing is cached yet.
  asio::awaitable<Response> databases(Exchange& exchange) {
    auto const& caller = *exchange.caller;
    providers::notion::Databases<ServiceManager> const databases(manager, caller.tenant_id, caller.user_id,
                                                                 exchange.params[0]);
    auto reading = databases.async_cached(asio::use_awaitable);
    auto listed = co_await std::move(reading);
    bool refreshed = false;
    if (listed && (listed->empty() || exchange.query_param("refresh") == "true")) {
      auto refreshing = databases.async_refresh(asio::use_awaitable);
      listed = co_await std::move(refreshing);
      refreshed = true;
    }
    if (!listed) co_return databases_error(listed.error());
    json::array list;
    for (auto const& database : *listed) list.push_back(database_json(database, false));
    co_return json_response(http::status::ok, json::object{{"databases", std::move(list)}, {"refreshed", refreshed}});
  }

  /// One cached Notion database, whole. Its id is checked before anything is read.
  asio::awaitable<Response> database(Exchange& exchange) {
    auto const& caller = *exchange.caller;
    if (!providers::notion::normalize_id(exchange.params[1]))
      co_return error_response(400, "INVALID_DATABASE_ID", "A Notion database id is 32 hexadecimal digits.");
    providers::notion::Databases<ServiceManager> const databases(manager, caller.tenant_id, caller.user_id,
                                                                 exchange.params[0]);
    auto finding = databases.async_find(exchange.params[1], asio::use_awaitable);
    auto found = co_await std::move(finding);
    if (!found) co_return databases_error(found.error());
    co_return json_response(http::status::ok, database_json(*found, true));
  }

  asio::awaitable<Response> audit(Exchange& exchange) {
    AuditQuery query;
    if (auto const text = exchange.optional_query_param("limit")) {
      auto const value = whole_number(*text, Store::max_audit_page);
      if (!value || *value == 0)
        co_return error_response(400, "INVALID_REQUEST", "limit must be a number from 1 to 1000.");
      query.limit = *value;
    }
    if (auto const text = exchange.optional_query_param("before")) {
      auto const value = whole_number(*text, std::numeric_limits<unsigned long>::max());
      if (!value) co_return error_response(400, "INVALID_REQUEST", "before must be the next of an earlier page.");
      query.before = *value;
    }
    auto reading =
        manager.async_audit_page(exchange.caller->tenant_id, exchange.caller->user_id, query, asio::use_awaitable);
    auto page = co_await std::move(reading);
    if (!page) co_return generic_error(page.error());
    json::array list;
    for (auto const& event : page->events) list.push_back(audit_json(event));
    json::object body{{"events", std::move(list)}};
    if (page->next) body["next"] = std::to_string(*page->next);
    co_return json_response(http::status::ok, std::move(body));
  }
};

std::span<Service::Impl::Route const> Service::Impl::routes() {
  static constexpr std::array table{
      Route{http::verb::get, "/", Access::open, &Impl::root},
      Route{http::verb::get, "/health", Access::open, &Impl::health},
      Route{http::verb::get, "/metrics", Access::open, &Impl::prometheus},
      Route{http::verb::get, "/openapi.json", Access::open, &Impl::openapi},
      Route{http::verb::get, "/connect", Access::open, &Impl::connect_page},
      Route{http::verb::get, "/connect.js", Access::open, &Impl::connect_script},
      Route{http::verb::get, "/connect.css", Access::open, &Impl::connect_style},
      Route{http::verb::get, "/api/v1/oauth/me", Access::user, &Impl::me},
      Route{http::verb::get, "/api/v1/oauth/providers", Access::user, &Impl::list_providers},
      Route{http::verb::post, "/api/v1/oauth/{provider}/authorize", Access::user, &Impl::authorize},
      Route{http::verb::get, "/api/v1/oauth/{provider}/callback", Access::open, &Impl::callback},
      Route{http::verb::get, "/api/v1/oauth/integrations", Access::user, &Impl::list_integrations},
      Route{http::verb::get, "/api/v1/oauth/integrations/{id}", Access::user, &Impl::get_integration},
      Route{http::verb::post, "/api/v1/oauth/integrations/{id}/refresh", Access::user, &Impl::refresh},
      Route{http::verb::post, "/api/v1/oauth/integrations/{id}/validate", Access::user, &Impl::validate},
      Route{http::verb::get, "/api/v1/oauth/integrations/{id}/databases", Access::user, &Impl::databases},
      Route{http::verb::get, "/api/v1/oauth/integrations/{id}/databases/{database_id}", Access::user, &Impl::database},
      Route{http::verb::delete_, "/api/v1/oauth/integrations/{id}", Access::user, &Impl::disconnect},
      Route{http::verb::get, "/api/v1/oauth/integrations/{id}/token", Access::server, &Impl::token},
      Route{http::verb::get, "/api/v1/oauth/audit", Access::user, &Impl::audit},
  };
  return table;
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

std::variant<std::unique_ptr<Service>, std::string> Service::open(ServiceConfig config, asio::any_io_executor executor,
                                                                  AccessLog& log, Metrics& metrics) {
  auto keyring = config.encryption_keys
                     ? crypto::Keyring::from_list(*config.encryption_keys)
                     : crypto::Keyring::from_environment(
                           crypto::KeyPolicy::allow_ephemeral_for_dev, [&](std::string_view warning) {
                             log.write("warning", "ephemeral_key", {{"message", warning}});
                           });
  if (!keyring) return "encryption key: " + keyring.error().message();
  auto backend = store::open_backend(config.store_url);
  if (!backend) return "cannot open the token store: " + backend.error().message();

  auto tls = HttpsTransport::default_tls_context();
  if (!config.provider_ca_file.empty()) {
    boost::system::error_code ec;
    tls.load_verify_file(config.provider_ca_file, ec);
    if (ec) return "cannot read provider_ca_file " + config.provider_ca_file + ": " + ec.message();
  }
  TransportOptions transport_options;
  transport_options.allow_plain_http_to_loopback = config.development;
  // Callbacks and refreshes of many users reach one provider at once: at 200 connections
  // every call past the kept connections opens one, and the callback's p99 was 100 ms
  // keeping 64 against 65 ms keeping 256.
  transport_options.max_idle_connections_per_host = 256;
  HttpsTransport transport(executor, std::move(tls), transport_options);

  auto impl = std::make_unique<Impl>(std::move(config), executor, log, metrics, std::move(*backend),
                                     std::move(*keyring), std::move(transport));
  std::string failures;
  boost::hana::for_each(examples::Providers::types, [&](auto type) {
    using P = typename decltype(type)::type;
    auto it = impl->config.providers.find(std::string(P::name));
    if (it == impl->config.providers.end()) return;
    auto const& settings = it->second;
    auto configured = impl->manager.template configure<P>(
        {settings.client_id, settings.client_secret, {impl->config.callback_url(P::name)}, settings.endpoint_base});
    if (!configured) failures += std::string(failures.empty() ? "" : "; ") + configured.error().message();
  });
  if (!failures.empty()) return "provider configuration: " + failures;
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

asio::awaitable<Response> Service::handle(Request request, Peer peer) {
  return impl_->handle(std::move(request), std::move(peer));
}

Response Service::refused(Refusal const& refusal, Peer const& peer) {
  Exchange exchange{Request{}, peer};
  exchange.request_id = new_request_id();
  ++impl_->in_flight;
  exchange.route = "refused";
  exchange.refusal = refusal.message;
  auto response = error_response(static_cast<unsigned>(refusal.status), refusal.code, refusal.message);
  impl_->finish(exchange, response, std::chrono::steady_clock::now());
  return response;
}

std::vector<RouteInfo> Service::routes() {
  std::vector<RouteInfo> out;
  for (auto const& route : Impl::routes())
    out.push_back({std::string(http::to_string(route.method)), std::string(route.pattern), route.access});
  return out;
}

}  // namespace oauth::service
