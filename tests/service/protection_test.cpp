// What protects the service and its callers: CORS, rate limits, request limits and
// timeouts, security headers and request ids.

#include "service/service_fixture.hpp"

#include <oauth/store/sqlite.hpp>
#include <oauth/store/token_store.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

namespace oauth::testing {
namespace {

TEST_F(ServiceTest, CorsAnswersOnlyTheAllowedOrigins) {
  auto client = start().client();
  auto preflight = client.send({"OPTIONS",
                                "/api/v1/oauth/integrations",
                                {{"Origin", "https://app.example"},
                                 {"Access-Control-Request-Method", "GET"},
                                 {"Access-Control-Request-Headers", "authorization"}}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(preflight.header("access-control-allow-credentials"), "true");
  EXPECT_NE(preflight.header("access-control-allow-headers").find("Authorization"), std::string::npos);
  EXPECT_NE(preflight.header("access-control-allow-methods").find("DELETE"), std::string::npos);

  auto stranger = client.send({"OPTIONS",
                               "/api/v1/oauth/integrations",
                               {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}}});
  EXPECT_EQ(stranger.status, 403);
  EXPECT_EQ(stranger.header("access-control-allow-origin"), "");

  auto allowed =
      client.send({"GET",
                   "/api/v1/oauth/integrations",
                   {{"Origin", "https://app.example"}, {"Authorization", "Bearer " + bearer("acme", "ada")}}});
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.header("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(allowed.header("vary"), "Origin");
  auto refused =
      client.send({"GET",
                   "/api/v1/oauth/integrations",
                   {{"Origin", "https://evil.example"}, {"Authorization", "Bearer " + bearer("acme", "ada")}}});
  EXPECT_EQ(refused.header("access-control-allow-origin"), "");
}

TEST_F(ServiceTest, RateLimitsPerUserAndPerAddressAnswer429WithRetryAfter) {
  auto env = environment();
  env["OAUTH_SERVICE_CONFIG"] = dir() + "/service.json";
  std::ofstream(dir() + "/service.json") << R"({"rate_limit_per_user_per_minute": 60, "rate_limit_per_user_burst": 5,
    "rate_limit_per_address_per_minute": 600, "rate_limit_per_address_burst": 40})";
  auto client = start(env).client();
  auto const ada = bearer("acme", "ada");
  for (int i = 0; i < 5; ++i) ASSERT_EQ(client.get("/api/v1/oauth/integrations", ada).status, 200) << i;
  auto limited = client.get("/api/v1/oauth/integrations", ada);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "1");
  EXPECT_EQ(json_of(limited).at("error").at("code"), "RATE_LIMITED");
  // Another user has a bucket of their own.
  EXPECT_EQ(client.get("/api/v1/oauth/integrations", bearer("acme", "bob")).status, 200);

  // The address's bucket covers everything, unauthenticated requests included.
  int answered = 0;
  HttpReply last;
  for (int i = 0; i < 60; ++i) {
    last = client.get("/health");
    if (last.status != 200) break;
    ++answered;
  }
  EXPECT_EQ(last.status, 429);
  EXPECT_LT(answered, 40);
  EXPECT_FALSE(last.header("retry-after").empty());
  std::size_t limited_lines = 0;
  for (auto const& line : service().log_lines())
    if (line.contains("status") && line.at("status").to_number<int>() == 429) ++limited_lines;
  EXPECT_GE(limited_lines, 2u);
}

TEST_F(ServiceTest, OversizedBodiesAndHeadersAndBadRequestsAreRefused) {
  auto client = start().client();
  auto const ada = bearer("acme", "ada");
  auto big = client.send({"POST",
                          "/api/v1/oauth/google/authorize",
                          {{"Authorization", "Bearer " + ada}, {"Content-Type", "application/json"}},
                          R"({"scopes":[")" + std::string(70 * 1024, 'a') + R"("]})"});
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(json_of(big).at("error").at("code"), "body_too_large");
  EXPECT_FALSE(big.header("x-request-id").empty());

  auto huge_header = client.send({"GET", "/health", {{"X-Padding", std::string(9 * 1024, 'p')}}});
  EXPECT_EQ(huge_header.status, 431);

  HttpClient raw(service().port());
  raw.write_raw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(raw.read_reply().status, 400);

  EXPECT_EQ(client.get("/health").status, 200);  // the service carries on
}

TEST_F(ServiceTest, SlowClientsAreDisconnected) {
  auto env = environment();
  env["OAUTH_SERVICE_CONFIG"] = dir() + "/service.json";
  std::ofstream(dir() + "/service.json") << R"({"header_timeout_seconds": 1, "idle_timeout_seconds": 2})";
  start(env);
  HttpClient slow(service().port());
  slow.write_raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // and never the blank line
  EXPECT_TRUE(slow.closed_by_server(std::chrono::seconds(4)));

  HttpClient idle(service().port());
  ASSERT_EQ(idle.get("/health").status, 200);
  EXPECT_FALSE(idle.closed_by_server(std::chrono::milliseconds(500)));
  EXPECT_TRUE(idle.closed_by_server(std::chrono::seconds(4)));
}

TEST_F(ServiceTest, EveryAnswerCarriesSecurityHeadersAndARequestId) {
  auto client = start().client();
  std::set<std::string> ids;
  for (auto const& reply : {client.get("/"), client.get("/nowhere"), client.get("/api/v1/oauth/integrations"),
                            client.get("/connect"), client.get("/api/v1/oauth/integrations", bearer("acme", "ada")),
                            client.get("/api/v1/oauth/google/callback?code=c&state=unknown")}) {
    EXPECT_EQ(reply.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(reply.header("x-frame-options"), "DENY");
    EXPECT_EQ(reply.header("referrer-policy"), "no-referrer");
    EXPECT_NE(reply.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_FALSE(reply.header("cache-control").empty());
    EXPECT_FALSE(reply.header("x-request-id").empty());
    ids.insert(reply.header("x-request-id"));
  }
  EXPECT_EQ(ids.size(), 6u);
  EXPECT_EQ(client.get("/api/v1/oauth/integrations", bearer("acme", "ada")).header("cache-control"), "no-store");

  auto traced = client.send({"GET", "/health", {{"X-Request-Id", "trace-123.abc"}}});
  EXPECT_EQ(traced.header("x-request-id"), "trace-123.abc");
  auto hostile = client.send({"GET", "/health", {{"X-Request-Id", "bad id\"{}"}}});
  EXPECT_NE(hostile.header("x-request-id"), "bad id\"{}");
  bool logged = false;
  for (auto const& line : service().log_lines())
    logged = logged || (line.contains("request_id") && line.at("request_id") == "trace-123.abc");
  EXPECT_TRUE(logged);
}

TEST_F(ServiceTest, TheConnectPageIsServedWithAStrictContentSecurityPolicy) {
  auto client = start().client();
  auto page = client.get("/connect");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/connect.js\""), std::string::npos);
  auto const policy = page.header("content-security-policy");
  EXPECT_NE(policy.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(client.get("/connect.js").header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(client.get("/connect.css").status, 200);
}

// Found probing the service: 1,000 refused bearers with a 7.9 KB agent added 7.7 MB to
// the store that nothing read or pruned.
TEST_F(ServiceTest, WhatAnUnauthenticatedFloodCanMakeTheServiceStoreIsBounded) {
  auto env = environment();
  env["OAUTH_SERVICE_CONFIG"] = dir() + "/service.json";
  std::ofstream(dir() + "/service.json") << R"({"rate_limit_per_address_per_minute": 0})";
  auto client = start(env).client();
  auto const agent = "\xc3\xa9\xff" + std::string(7900, 'A');  // bytes a header may carry, none of them ASCII
  auto const before = std::filesystem::file_size(dir() + "/tokens.db");
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(
        client.send({"GET", "/api/v1/oauth/integrations", {{"Authorization", "Bearer nope"}, {"User-Agent", agent}}})
            .status,
        401);
    ASSERT_EQ(client
                  .send({"GET",
                         "/api/v1/oauth/google/callback?code=c&state=unknown-" + std::to_string(i),
                         {{"User-Agent", agent}}})
                  .status,
              302);
  }
  TokenStore<store::SqliteBackend> store(store::SqliteBackend::open({.path = dir() + "/tokens.db"}).value(),
                                         crypto::Keyring::from_list(encryption_key).value());
  auto const rows = store.audit_log({"", ""}).value();
  EXPECT_LE(rows.size(), 25u);  // twenty from this address, and what a minute adds
  EXPECT_GE(rows.size(), 20u);
  for (auto const& row : rows) {
    EXPECT_LE(row.user_agent.size(), TokenStore<store::SqliteBackend>::max_user_agent + 3);
    EXPECT_TRUE(
        std::all_of(row.user_agent.begin(), row.user_agent.end(), [](char c) { return c >= 0x20 && c < 0x7f; }));
  }
  EXPECT_LT(std::filesystem::file_size(dir() + "/tokens.db") - before, 256u * 1024);
  // Every request is still in the access log.
  std::size_t refused = 0;
  for (auto const& line : service().log_lines())
    if (line.contains("status") && line.at("status").to_number<int>() == 401) ++refused;
  EXPECT_EQ(refused, 1000u);
}

// ---- framing: what could smuggle a request past a proxy (RFC 9112) ------------------

/// Whether any request for `path` reached the service's log.
bool logged(ServiceProcess const& service, std::string_view path) {
  for (auto const& line : service.log_lines())
    if (line.contains("path") && line.at("path").is_string() && line.at("path").get_string() == path) return true;
  return false;
}

/// What a request followed by a smuggled GET /metrics gets: 400, and its connection closed.
HttpReply refused_with_a_request_behind(unsigned short port, std::string const& head, std::string const& body) {
  HttpClient raw(port);
  raw.write_raw("POST /api/v1/oauth/google/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\n" + head + "\r\n" + body +
                "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  return raw.read_reply();
}

TEST_F(ServiceTest, ATransferEncodingOtherThanChunkedAloneIsRefusedAndItsBodyNeverRunsAsARequest) {
  start();
  for (std::string coding :
       {"gzip", "identity", "", "chunked, gzip", "gzip, chunked", "chunked\r\nTransfer-Encoding: x"}) {
    auto reply = refused_with_a_request_behind(service().port(), "Transfer-Encoding: " + coding + "\r\n", "");
    EXPECT_EQ(reply.status, 400) << coding;
    EXPECT_EQ(reply.header("connection"), "close") << coding;
    EXPECT_EQ(json_of(reply).at("error").at("code"), "malformed_request") << coding;
  }
  EXPECT_FALSE(logged(service(), "/metrics"));
}

TEST_F(ServiceTest, ContentLengthBesideTransferEncodingIsRefused) {
  start();
  auto reply = refused_with_a_request_behind(service().port(), "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                                             "0\r\n\r\n");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_FALSE(logged(service(), "/metrics"));
}

TEST_F(ServiceTest, AMalformedChunkedBodyIsAnswered400) {
  start();
  HttpClient raw(service().port());
  raw.write_raw(
      "POST /api/v1/oauth/google/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "ZZ\r\nhello\r\n0\r\n\r\n");
  auto reply = raw.read_reply();
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(json_of(reply).at("error").at("code"), "malformed_request");
}

TEST_F(ServiceTest, PipelinedAndSplitRequestsAreEachAnsweredInOrder) {
  start();
  HttpClient raw(service().port());
  // Two requests in one write: the second waits, read already, for the first's answer.
  raw.write_raw(
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
      "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(raw.read_reply().status, 200);
  EXPECT_EQ(raw.read_reply().status, 404);
  // A head in two writes, then its body in two: read whole, and the connection goes on.
  raw.write_raw("POST /api/v1/oauth/google/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  raw.write_raw("Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  raw.write_raw("}GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(raw.read_reply().status, 401);  // no bearer token
  EXPECT_EQ(raw.read_reply().status, 200);
  EXPECT_FALSE(raw.closed_by_server(std::chrono::milliseconds(200)));
}

TEST_F(ServiceTest, AnHttp11RequestNamesItsHostExactlyOnce) {
  start();
  for (std::string headers : {"", "Host: a.example\r\nHost: b.example\r\n"}) {
    HttpClient raw(service().port());
    raw.write_raw("GET /health HTTP/1.1\r\n" + headers + "\r\n");
    EXPECT_EQ(raw.read_reply().status, 400) << headers;
  }
  HttpClient old(service().port());
  old.write_raw("GET /health HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.read_reply().status, 200);  // HTTP/1.0 had no Host to require
}

TEST_F(ServiceTest, EveryRequestOfAKeptAliveConnectionHasItsHeaderAndBodyDeadlines) {
  auto env = environment();
  env["OAUTH_SERVICE_CONFIG"] = dir() + "/service.json";
  std::ofstream(dir() + "/service.json")
      << R"({"header_timeout_seconds": 1, "request_timeout_seconds": 2, "idle_timeout_seconds": 30})";
  start(env);
  HttpClient headers(service().port());
  ASSERT_EQ(headers.get("/health").status, 200);
  headers.write_raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");  // and not a byte more
  auto const started = std::chrono::steady_clock::now();
  EXPECT_TRUE(headers.closed_by_server(std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));

  HttpClient body(service().port());
  ASSERT_EQ(body.get("/health").status, 200);
  body.write_raw("POST /api/v1/oauth/google/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"");
  auto const body_started = std::chrono::steady_clock::now();
  EXPECT_TRUE(body.closed_by_server(std::chrono::seconds(6)));
  EXPECT_LT(std::chrono::steady_clock::now() - body_started, std::chrono::seconds(5));
}

TEST_F(ServiceTest, BehindATrustedProxyTheForwardedClientIsLimitedAndLogged) {
  auto env = environment();
  env["OAUTH_SERVICE_CONFIG"] = dir() + "/service.json";
  std::ofstream(dir() + "/service.json") << R"({"rate_limit_per_address_per_minute": 60,
    "rate_limit_per_address_burst": 3, "max_connections_per_address": 2})";
  auto const from = [](std::string const& chain) { return HttpCall{"GET", "/health", {{"X-Forwarded-For", chain}}}; };
  // Not trusted: anyone may write the header, so it is not read, and every request is the
  // peer's.
  {
    auto client = start(env).client();
    for (int i = 0; i < 3; ++i) ASSERT_EQ(client.send(from("198.51.100." + std::to_string(i))).status, 200);
    EXPECT_EQ(client.send(from("198.51.100.9")).status, 429);
    for (auto const& line : service().log_lines()) {
      if (line.contains("client_ip")) {
        EXPECT_EQ(line.at("client_ip"), "127.0.0.1");
      }
    }
  }
  // Trusted: the nearest hop that is no trusted proxy is the client, each with a bucket of
  // its own, and a proxy's connections are not capped as one client's.
  env["OAUTH_TRUSTED_PROXIES"] = "10.9.9.9, 127.0.0.1";
  auto const proxy = start(env).port();
  std::vector<HttpClient> connections;
  for (int i = 0; i < 4; ++i) connections.emplace_back(proxy);  // more than two from one address
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(connections[static_cast<std::size_t>(i)].send(from("198.51.100.7, 10.9.9.9")).status, 200) << i;
  EXPECT_EQ(connections[3].send(from("198.51.100.7")).status, 429);
  EXPECT_EQ(connections[3].send(from("198.51.100.8")).status, 200);
  // What cannot be an address ends the walk at the nearest trusted hop.
  EXPECT_EQ(connections[3].send(from("198.51.100.7, not-an-address")).status, 200);
  std::map<std::string, int> seen;
  for (auto const& line : service().log_lines())
    if (line.contains("client_ip")) ++seen[std::string(line.at("client_ip").as_string())];
  EXPECT_EQ(seen["198.51.100.7"], 4);
  EXPECT_EQ(seen["198.51.100.8"], 1);
  EXPECT_EQ(seen["127.0.0.1"], 1);
}

TEST_F(ServiceTest, OneAddressCannotTakeEveryConnection) {
  auto env = environment();
  env["OAUTH_SERVICE_CONFIG"] = dir() + "/service.json";
  std::ofstream(dir() + "/service.json") << R"({"max_connections_per_address": 3})";
  start(env);
  std::vector<HttpClient> held;
  for (int i = 0; i < 3; ++i) {
    held.emplace_back(service().port());
    ASSERT_EQ(held.back().get("/health").status, 200) << i;
  }
  HttpClient fourth(service().port());
  EXPECT_TRUE(fourth.closed_by_server(std::chrono::seconds(2)));
  held.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server sees the close
  HttpClient again(service().port());
  EXPECT_EQ(again.get("/health").status, 200);
  EXPECT_NE(again.get("/metrics").body.find("oauth_http_refused_connections_total 1"), std::string::npos);
}

TEST_F(ServiceTest, OddMethodsTargetsAndCookiesGetAClientErrorNeverAServerError) {
  start();
  auto const ada = bearer("acme", "ada");
  std::vector<std::string> const requests = {
      "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "GET /api/v1/oauth/%zz/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "GET /api/v1/oauth/integrations/%00 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ada + "\r\n\r\n",
      std::string("GET /he\0alth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                  sizeof("GET /he\0alth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") - 1),
      "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      "GET /api/v1/oauth/google/callback?state=%ff%fe&code=x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Cookie: oauth_session=\x01\x7f;;=;oauth_return=%zz; oauth_session\r\n\r\n",
      "GET /api/v1/oauth/audit?limit=%2B5 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ada + "\r\n\r\n",
  };
  for (auto const& request : requests) {
    HttpClient raw(service().port());
    raw.write_raw(request);
    auto reply = raw.read_reply();
    if (request.starts_with("HEAD") && reply.status == 0) continue;  // a HEAD answer has no body to read
    EXPECT_GE(reply.status, 300) << request.substr(0, 60);
    EXPECT_LT(reply.status, 500) << request.substr(0, 60);
  }
  EXPECT_EQ(service().client().get("/health").status, 200);
}

}  // namespace
}  // namespace oauth::testing
