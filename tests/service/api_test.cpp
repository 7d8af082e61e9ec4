// The service's routes, end to end: a user connects accounts through it, uses and
// refreshes them, and disconnects; a server fetches tokens; nobody sees another's.

#include "service/service_fixture.hpp"

#include <oauth/crypto/keyring.hpp>
#include <oauth/store/sqlite.hpp>
#include <oauth/store/token_store.hpp>

#include <set>
#include <sstream>

namespace oauth::testing {
namespace {

using boost::json::object;

TEST_F(ServiceTest, AboutAndHealthAnswerWithoutCredentials) {
  auto client = start().client();
  auto about = client.get("/");
  ASSERT_EQ(about.status, 200);
  EXPECT_EQ(json_of(about).at("service"), "oauth");
  EXPECT_EQ(json_of(about).at("status"), "ok");
  EXPECT_EQ(json_of(about).at("version"), "0.1.0");

  auto health = client.get("/health");
  ASSERT_EQ(health.status, 200) << health.body;
  auto checks = json_of(health).at("checks").as_object();
  EXPECT_EQ(checks.at("store").at("status"), "ok");
  EXPECT_EQ(checks.at("encryption_key").at("status"), "ok");
  // That a key is loaded, and nothing about which: health is open to anyone.
  EXPECT_EQ(checks.at("encryption_key").as_object().size(), 1u);
  EXPECT_EQ(health.body.find(crypto::Keyring::from_list(encryption_key)->key_id()), std::string::npos);
}

TEST_F(ServiceTest, ProvidersComeWithTheirScopeCatalogue) {
  auto client = start().client();
  auto reply = client.get("/api/v1/oauth/providers", bearer("acme", "ada"));
  ASSERT_EQ(reply.status, 200);
  std::map<std::string, object> providers;
  auto const body = json_of(reply);
  for (auto const& p : body.at("providers").as_array())
    providers[std::string(p.at("name").as_string())] = p.as_object();
  ASSERT_EQ(providers.size(), 4u);
  EXPECT_TRUE(providers["google"].at("configured").as_bool());
  EXPECT_TRUE(providers["google"].at("supports_refresh").as_bool());
  EXPECT_FALSE(providers["notion"].at("supports_pkce").as_bool());
  EXPECT_TRUE(providers["notion"].at("scopes").as_array().empty());
  bool calendar = false;
  for (auto const& scope : providers["google"].at("scopes").as_array())
    calendar = calendar || scope.at("name") == "https://www.googleapis.com/auth/calendar.readonly";
  EXPECT_TRUE(calendar);
}

TEST_F(ServiceTest, ConnectUseRefreshAndDisconnectAnAccount) {
  start();
  auto const ada = bearer("acme", "ada");
  CookieJar jar;
  auto landing = connect("google", ada, jar, object{{"scopes", boost::json::array{"calendar.readonly"}}});
  ASSERT_EQ(landing.status, 302);
  EXPECT_TRUE(landing.location.starts_with(service().base_url() + "/connect?")) << landing.location;
  EXPECT_EQ(landing.params["provider"], "google");
  auto const id = landing.integration_id();
  ASSERT_FALSE(id.empty()) << landing.location;
  EXPECT_FALSE(jar.cookies.contains("oauth_return"));  // spent with the callback

  auto client = service().client();
  auto list = client.get("/api/v1/oauth/integrations", ada);
  ASSERT_EQ(list.status, 200);
  auto integrations = json_of(list).at("integrations").as_array();
  ASSERT_EQ(integrations.size(), 1u);
  auto const& integration = integrations[0].as_object();
  EXPECT_EQ(integration.at("id").as_string(), id);
  EXPECT_EQ(integration.at("status"), "active");
  EXPECT_EQ(integration.at("identity").at("email"), "ada@example.com");
  auto scopes = integration.at("scopes").as_array();
  EXPECT_NE(
      std::find(scopes.begin(), scopes.end(), boost::json::value("https://www.googleapis.com/auth/calendar.readonly")),
      scopes.end());
  EXPECT_EQ(client.get("/api/v1/oauth/integrations/" + id, ada).status, 200);

  // Refreshing through the API says when the new token expires, never what it is.
  auto refreshed =
      client.send({"POST", "/api/v1/oauth/integrations/" + id + "/refresh", {{"Authorization", "Bearer " + ada}}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_TRUE(json_of(refreshed).at("refreshed").as_bool());
  EXPECT_FALSE(json_of(refreshed).contains("access_token"));
  EXPECT_EQ(refreshed.body.find("ya29."), std::string::npos);

  // A server gets the token with a server-to-server token naming the user.
  auto token = client.get("/api/v1/oauth/integrations/" + id + "/token", server_bearer("acme", "ada"));
  ASSERT_EQ(token.status, 200) << token.body;
  auto const access = std::string(json_of(token).at("access_token").as_string());
  EXPECT_TRUE(mocks()["google"].token_active(access));
  EXPECT_EQ(json_of(token).at("token_type"), "Bearer");

  auto gone = client.send({"DELETE", "/api/v1/oauth/integrations/" + id, {{"Authorization", "Bearer " + ada}}});
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_TRUE(json_of(gone).at("revoked_at_provider").as_bool());
  EXPECT_EQ(json_of(gone).at("integration").at("status"), "disconnected");
  EXPECT_FALSE(mocks()["google"].token_active(access));
  EXPECT_TRUE(json_of(client.get("/api/v1/oauth/integrations", ada)).at("integrations").as_array().empty());
  auto all = client.get("/api/v1/oauth/integrations?include_disconnected=true", ada);
  EXPECT_EQ(json_of(all).at("integrations").as_array().size(), 1u);

  // The audit log tells the story, newest first.
  auto audit = client.get("/api/v1/oauth/audit", ada);
  ASSERT_EQ(audit.status, 200);
  std::vector<std::string> actions;
  auto const events = json_of(audit);
  for (auto const& event : events.at("events").as_array()) actions.emplace_back(event.at("action").as_string());
  ASSERT_GE(actions.size(), 5u);
  EXPECT_EQ(actions.back(), "authorization_started");
  EXPECT_NE(std::find(actions.begin(), actions.end(), "connect"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "refresh"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "disconnect"), actions.end());
  EXPECT_EQ(json_of(client.get("/api/v1/oauth/audit?limit=2", ada)).at("events").as_array().size(), 2u);
  EXPECT_EQ(client.get("/api/v1/oauth/audit?limit=0", ada).status, 400);
  // Page by page, following next, the same story in the same order, and then no next.
  std::vector<std::string> paged;
  std::string next;
  for (int pages = 0; pages < 20; ++pages) {
    auto page = json_of(client.get("/api/v1/oauth/audit?limit=2" + (next.empty() ? "" : "&before=" + next), ada));
    auto const& list = page.at("events").as_array();
    EXPECT_LE(list.size(), 2u);
    for (auto const& event : list) paged.emplace_back(event.at("action").as_string());
    if (!page.contains("next")) break;
    next = std::string(page.at("next").as_string());
  }
  EXPECT_EQ(paged, actions);
  for (auto before : {"x", "-1", "%2B5", ""})
    EXPECT_EQ(client.get(std::string("/api/v1/oauth/audit?before=") + before, ada).status, 400) << before;
  // Digits only: no sign, no NUL with junk after it, no negative that wraps around.
  for (auto limit : {"%2B5", "5%00junk", "-1", "-18446744073709551615", "%205", "5%20", "1001", "0x10", "", "1e3"})
    EXPECT_EQ(client.get(std::string("/api/v1/oauth/audit?limit=") + limit, ada).status, 400) << limit;
}

TEST_F(ServiceTest, NotionConnectsAWorkspaceAndCannotBeRefreshedWhenItsTokensDoNotExpire) {
  start();
  auto const ada = bearer("acme", "ada");
  CookieJar jar;
  auto landing = connect("notion", ada, jar);
  auto const id = landing.integration_id();
  ASSERT_FALSE(id.empty()) << landing.location;
  auto client = service().client();
  auto integration = json_of(client.get("/api/v1/oauth/integrations/" + id, ada));
  EXPECT_EQ(integration.at("identity").at("workspace").at("name"), "Analytical Engines");
  EXPECT_TRUE(integration.at("expires_at").is_null());
  auto token = client.get("/api/v1/oauth/integrations/" + id + "/token", server_bearer("acme", "ada"));
  EXPECT_EQ(token.status, 200);
}

TEST_F(ServiceTest, TheCallbackReturnsToTheAllowedAddressTheCallerChose) {
  auto env = environment();
  env["OAUTH_RETURN_URLS"] = "https://app.example/settings?tab=accounts, https://app.example/welcome";
  start(env);
  CookieJar jar;
  auto landing = connect("google", bearer("acme", "ada"), jar, object{{"return_to", "https://app.example/welcome"}});
  EXPECT_TRUE(landing.location.starts_with("https://app.example/welcome?provider=google&connected="))
      << landing.location;
  // Without a choice, the first one.
  EXPECT_TRUE(connect("notion", bearer("acme", "ada"), jar)
                  .location.starts_with("https://app.example/settings?tab=accounts&provider=notion&connected="));
  // A cookie naming anywhere else is not followed.
  jar.cookies["oauth_return"] = "https%3A%2F%2Fevil.example%2F";
  auto client = service().client();
  auto started = client.send({"POST",
                              "/api/v1/oauth/microsoft/authorize",
                              {{"Authorization", "Bearer " + bearer("acme", "ada")}, {"Cookie", jar.header()}},
                              R"({"return_to":"https://app.example/welcome"})"});
  jar.take(started);
  jar.cookies["oauth_return"] = "https%3A%2F%2Fevil.example%2F";
  auto answer = consent(std::string(json_of(started).at("authorization_url").as_string()), &mocks().tls);
  EXPECT_TRUE(follow(answer.location, jar).location.starts_with("https://app.example/settings?tab=accounts&"));
}

TEST_F(ServiceTest, CallbackFailuresSendTheBrowserBackWithTheError) {
  start();
  auto const ada = bearer("acme", "ada");

  // The user clicks Cancel at the provider.
  CookieJar jar;
  mocks()["google"].set_deny_consent(true);
  auto refused = connect("google", ada, jar);
  mocks()["google"].set_deny_consent(false);
  ASSERT_EQ(refused.status, 302);
  EXPECT_EQ(refused.params["provider"], "google");
  EXPECT_EQ(refused.params["error"], "GOOGLE_ACCESS_DENIED");
  EXPECT_EQ(refused.params["message"], "Access to your google account was not granted.");
  // Notion words every failed connection one way (its traits' describe_error).
  mocks()["notion"].set_deny_consent(true);
  EXPECT_EQ(connect("notion", ada, jar).params["error"], "NOTION_OAUTH_FAILED");
  mocks()["notion"].set_deny_consent(false);

  // A state the service never issued.
  auto forged = follow(service().base_url() + "/api/v1/oauth/google/callback?code=code-x&state=forged", jar);
  EXPECT_EQ(forged.params["error"], "OAUTH_STATE_INVALID");

  // A callback from another browser than the one that started: no session cookie.
  CookieJar other;
  auto client = service().client();
  auto started = client.send({"POST", "/api/v1/oauth/google/authorize", {{"Authorization", "Bearer " + ada}}});
  jar.take(started);
  auto answer = consent(std::string(json_of(started).at("authorization_url").as_string()), &mocks().tls);
  auto stranger = follow(answer.location, other);
  EXPECT_EQ(stranger.params["error"], "OAUTH_STATE_INVALID");
  // ...and it did not use the state up: the right browser's callback still connects.
  EXPECT_FALSE(follow(answer.location, jar).integration_id().empty());
  // A callback naming another issuer than the provider's (RFC 9207) connects nothing.
  auto again = client.send({"POST", "/api/v1/oauth/google/authorize", {{"Authorization", "Bearer " + ada}}});
  jar.take(again);
  auto mixed = consent(std::string(json_of(again).at("authorization_url").as_string()), &mocks().tls);
  auto const tokens_before = mocks()["google"].requests("token");
  auto const iss = mixed.location.find("&iss=");
  ASSERT_NE(iss, std::string::npos);
  EXPECT_EQ(follow(mixed.location.substr(0, iss) + "&iss=https%3A%2F%2Fevil.example", jar).params["error"],
            "GOOGLE_OAUTH_FAILED");
  EXPECT_EQ(mocks()["google"].requests("token"), tokens_before);

  // A replayed callback, after a success.
  auto good = client.send({"POST", "/api/v1/oauth/google/authorize", {{"Authorization", "Bearer " + ada}}});
  jar.take(good);
  auto approved = consent(std::string(json_of(good).at("authorization_url").as_string()), &mocks().tls);
  EXPECT_FALSE(follow(approved.location, jar).integration_id().empty());
  EXPECT_EQ(follow(approved.location, jar).params["error"], "OAUTH_STATE_INVALID");

  EXPECT_EQ(client.send({"POST", "/api/v1/oauth/nosuch/authorize", {{"Authorization", "Bearer " + ada}}}).status, 404);
  auto unknown_scope = client.send({"POST",
                                    "/api/v1/oauth/google/authorize",
                                    {{"Authorization", "Bearer " + ada}},
                                    R"({"scopes":["no.such.scope"]})"});
  EXPECT_EQ(unknown_scope.status, 400);
  // RFC 9700 section 4.10.1: the service is no open redirector. return_to is one of the
  // configured URLs, character for character.
  for (auto tricked :
       {"//evil.example/", "https:evil.example", "https://app.example\\@evil.example/",
        "https://app.example@evil.example/", "https://app\u3002example/settings", "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>", "https://app.example/settings/../../evil",
        "HTTPS://APP.EXAMPLE/settings", "/\\evil.example", "https://app.example.evil.example/"}) {
    auto reply = client.send({"POST",
                              "/api/v1/oauth/google/authorize",
                              {{"Authorization", "Bearer " + ada}},
                              boost::json::serialize(object{{"return_to", tricked}})});
    EXPECT_EQ(reply.status, 400) << tricked;
    EXPECT_EQ(json_of(reply).at("error").at("code"), "RETURN_URL_NOT_ALLOWED") << tricked;
  }
  auto bad_return = client.send({"POST",
                                 "/api/v1/oauth/google/authorize",
                                 {{"Authorization", "Bearer " + ada}},
                                 R"({"return_to":"https://evil.example/"})"});
  EXPECT_EQ(bad_return.status, 400);
  EXPECT_EQ(json_of(bad_return).at("error").at("code"), "RETURN_URL_NOT_ALLOWED");
  EXPECT_EQ(
      client.send({"POST", "/api/v1/oauth/google/authorize", {{"Authorization", "Bearer " + ada}}, "[1,2"}).status,
      400);
}

TEST_F(ServiceTest, CallersAreAuthenticatedAndRefusalsAudited) {
  start();
  auto client = service().client();
  auto const route = std::string("/api/v1/oauth/integrations");

  auto none = client.get(route);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer realm=\"oauth\"");
  EXPECT_EQ(client.get(route, bearer("acme", "ada", std::chrono::seconds(-120))).status, 401);
  EXPECT_EQ(client
                .get(route, service::sign_bearer_for("acme", "ada", "another-secret-another-secret-0000",
                                                     std::chrono::minutes(5)))
                .status,
            401);
  EXPECT_EQ(client.get(route, server_bearer("acme", "ada")).status, 401);  // the other secret
  // "alg": "none", with the claims a real token would carry.
  auto const claims = std::string(R"({"sub":"ada","tenant_id":"acme","exp":9999999999})");
  auto const unsigned_token =
      service::detail::base64url(R"({"alg":"none","typ":"JWT"})") + "." + service::detail::base64url(claims) + ".";
  EXPECT_EQ(client.get(route, unsigned_token).status, 401);
  auto const in_ten_minutes = std::chrono::duration_cast<std::chrono::seconds>(
                                  (std::chrono::system_clock::now() + std::chrono::minutes(10)).time_since_epoch())
                                  .count();
  auto no_tenant = service::sign_bearer(object{{"sub", "ada"}, {"exp", in_ten_minutes}}, user_secret);
  EXPECT_EQ(client.get(route, no_tenant).status, 401);
  EXPECT_EQ(client.send({"GET", route, {{"Authorization", "Basic YWRhOnB3"}}}).status, 401);
  // Dates at the edges of what JSON can say are dates, or no dates, never arithmetic overflows.
  for (auto const& [exp, status] :
       {std::pair{boost::json::value(INT64_MAX), 401}, std::pair{boost::json::value(UINT64_MAX), 401},
        std::pair{boost::json::value(1e300), 401}, std::pair{boost::json::value(-1e300), 401},
        std::pair{boost::json::value(INT64_MIN), 401}}) {
    auto edge = service::sign_bearer(object{{"sub", "ada"}, {"tenant_id", "acme"}, {"exp", exp}, {"nbf", INT64_MIN}},
                                     user_secret);
    EXPECT_EQ(client.get(route, edge).status, status) << boost::json::serialize(exp);
  }
  EXPECT_EQ(client.get(route, bearer("acme", "ada")).status, 200);

  // Every refusal is in the audit log, with the address and no token.
  TokenStore<store::SqliteBackend> store(store::SqliteBackend::open({.path = dir() + "/tokens.db"}).value(),
                                         crypto::Keyring::from_list(encryption_key).value());
  auto events = store.audit_log({"", ""}).value();
  ASSERT_EQ(events.size(), 12u);
  std::set<std::string> reasons;
  for (auto const& event : events) {
    EXPECT_EQ(event.action, AuditAction::access_denied);
    EXPECT_FALSE(event.success);
    EXPECT_EQ(event.client_ip, "127.0.0.1");
    reasons.insert(event.reason);
    EXPECT_EQ(event.reason.find("eyJ"), std::string::npos);
  }
  EXPECT_TRUE(reasons.contains("bearer token refused (expired) on /api/v1/oauth/integrations"));
  EXPECT_TRUE(reasons.contains("bearer token refused (bad signature) on /api/v1/oauth/integrations"));
  EXPECT_TRUE(reasons.contains("bearer token refused (algorithm other than HS256) on /api/v1/oauth/integrations"));
  EXPECT_TRUE(reasons.contains("bearer token refused (no tenant_id claim) on /api/v1/oauth/integrations"));
  EXPECT_TRUE(reasons.contains("bearer token refused (expiry too far ahead) on /api/v1/oauth/integrations"));
}

// Found probing the service as an attacker would: each of these was accepted.
TEST_F(ServiceTest, BearerTokensAreReadToTheLetter) {
  start();
  auto client = service().client();
  auto const route = std::string("/api/v1/oauth/integrations");
  auto const now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto const good = object{{"sub", "ada"}, {"tenant_id", "acme"}, {"exp", now + 600}};
  ASSERT_EQ(client.get(route, service::sign_bearer(good, user_secret)).status, 200);

  auto with = [&](std::string_view name, boost::json::value value) {
    auto claims = good;
    claims[name] = std::move(value);
    return service::sign_bearer(claims, user_secret);
  };
  // An expiry years ahead; dates that are not numbers; a token issued in the future.
  for (auto const& token : {with("exp", now + 400 * 24 * 3600), with("nbf", "yesterday"), with("iat", "now"),
                            with("exp", "tomorrow"), with("iat", now + 3600), with("nbf", boost::json::array{1})})
    EXPECT_EQ(client.get(route, token).status, 401);

  // A padded signature, or padded claims: base64url in a JWS has no padding.
  auto const signed_token = service::sign_bearer(good, user_secret);
  auto const dot = signed_token.rfind('.');
  auto const padded_signature = signed_token + "=";
  EXPECT_EQ(client.get(route, padded_signature).status, 401);
  auto const input = service::detail::base64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
                     service::detail::base64url(boost::json::serialize(good)) + "==";
  auto const padded_claims =
      input + "." + service::detail::base64url(service::detail::hs256(user_secret, input).value());
  EXPECT_EQ(client.get(route, padded_claims).status, 401);
  EXPECT_EQ(client.get(route, signed_token.substr(0, dot + 1)).status, 401);

  // A claim named twice: Boost.JSON would keep the last, another reader the first.
  auto sign_text = [&](std::string const& header, std::string const& claims) {
    auto const text = service::detail::base64url(header) + "." + service::detail::base64url(claims);
    return text + "." + service::detail::base64url(service::detail::hs256(user_secret, text).value());
  };
  auto const twice = R"({"sub":"ada","tenant_id":"acme","tenant_id":"globex","exp":)" + std::to_string(now + 600) + "}";
  EXPECT_EQ(client.get(route, sign_text(R"({"alg":"HS256"})", twice)).status, 401);
  auto const once = R"({"sub":"ada","tenant_id":"acme","exp":)" + std::to_string(now + 600) + "}";
  EXPECT_EQ(client.get(route, sign_text(R"({"alg":"HS256","alg":"none"})", once)).status, 401);
  EXPECT_EQ(client.get(route, sign_text(R"({"alg":"HS256","crit":["b64"],"b64":false})", once)).status, 401);
  EXPECT_EQ(client.get(route, sign_text(R"({"alg":"HS256"})", once)).status, 200);
}

TEST_F(ServiceTest, AnotherUsersIntegrationDoesNotExistForTheCaller) {
  start();
  CookieJar jar;
  auto const id = connect("microsoft", bearer("acme", "ada"), jar).integration_id();
  ASSERT_FALSE(id.empty());
  auto client = service().client();
  for (auto const& [tenant, user] : {std::pair{"acme", "bob"}, std::pair{"globex", "ada"}}) {
    auto const intruder = bearer(tenant, user);
    EXPECT_EQ(client.get("/api/v1/oauth/integrations/" + id, intruder).status, 404);
    EXPECT_EQ(
        client
            .send({"POST", "/api/v1/oauth/integrations/" + id + "/refresh", {{"Authorization", "Bearer " + intruder}}})
            .status,
        404);
    EXPECT_EQ(
        client.send({"DELETE", "/api/v1/oauth/integrations/" + id, {{"Authorization", "Bearer " + intruder}}}).status,
        404);
    EXPECT_EQ(client.get("/api/v1/oauth/integrations/" + id + "/token", server_bearer(tenant, user)).status, 404);
    EXPECT_TRUE(json_of(client.get("/api/v1/oauth/integrations", intruder)).at("integrations").as_array().empty());
    auto audit = json_of(client.get("/api/v1/oauth/audit", intruder)).at("events").as_array();
    ASSERT_EQ(audit.size(), 4u) << tenant << "/" << user;
    for (auto const& event : audit) EXPECT_EQ(event.at("action"), "access_denied");
  }
  auto owner = json_of(client.get("/api/v1/oauth/integrations/" + id, bearer("acme", "ada")));
  EXPECT_EQ(owner.at("status"), "active");
}

TEST_F(ServiceTest, TheTokenRouteServesServersOnly) {
  start();
  CookieJar jar;
  auto const id = connect("google", bearer("acme", "ada"), jar).integration_id();
  ASSERT_FALSE(id.empty());
  auto client = service().client();
  auto const route = "/api/v1/oauth/integrations/" + id + "/token";
  EXPECT_EQ(client.get(route, bearer("acme", "ada")).status, 401);  // a user's token is not a server's
  auto from_browser = client.send(
      {"GET", route, {{"Authorization", "Bearer " + server_bearer("acme", "ada")}, {"Origin", "https://app.example"}}});
  EXPECT_EQ(from_browser.status, 403);
  EXPECT_EQ(client.get(route, server_bearer("acme", "ada")).status, 200);

  // Without a server secret the route is closed.
  auto env = environment();
  env.erase("OAUTH_SERVICE_TOKEN_SECRET");
  start(env);
  EXPECT_EQ(service().client().get(route, server_bearer("acme", "ada")).status, 403);
}

TEST_F(ServiceTest, NotionDatabasesAreListedCachedAndReadOneByOne) {
  start();
  mocks()["notion"].set_api_items(12);
  auto const ada = bearer("acme", "ada");
  CookieJar jar;
  auto const id = connect("notion", ada, jar).integration_id();
  ASSERT_FALSE(id.empty());
  auto client = service().client();
  auto const base = "/api/v1/oauth/integrations/" + id + "/databases";

  // Nothing cached yet: listed at Notion.
  auto first = json_of(client.get(base, ada));
  EXPECT_EQ(first.at("refreshed"), true);
  auto const& listed = first.at("databases").as_array();
  ASSERT_EQ(listed.size(), 12u);
  EXPECT_EQ(listed[0].at("title"), "Database 0");
  EXPECT_EQ(listed[0].at("icon").at("type"), "emoji");
  EXPECT_EQ(listed[1].at("icon").at("value"), "https://img.example/1.png");
  EXPECT_EQ(listed[0].at("properties").at("Done").at("type"), "checkbox");
  EXPECT_FALSE(listed[0].as_object().contains("object"));
  auto const searches = mocks()["notion"].requests("api POST /v1/search");

  // Then from the cache, until asked to refresh.
  EXPECT_EQ(json_of(client.get(base, ada)).at("refreshed"), false);
  EXPECT_EQ(mocks()["notion"].requests("api POST /v1/search"), searches);
  mocks()["notion"].set_api_items(3);
  auto again = json_of(client.get(base + "?refresh=true", ada));
  EXPECT_EQ(again.at("refreshed"), true);
  EXPECT_EQ(again.at("databases").as_array().size(), 3u);

  auto one = client.get(base + "/00000002000040008000000000000001", ada);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json_of(one).at("title"), "Database 1");
  EXPECT_EQ(json_of(one).at("object").at("object"), "data_source");
  auto bad = client.get(base + "/not-a-database", ada);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json_of(bad).at("error").at("code"), "INVALID_DATABASE_ID");
  auto missing = client.get(base + "/ffffffffffff4fff8fffffffffffffff", ada);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json_of(missing).at("error").at("code"), "NOTION_DATABASE_NOT_FOUND");

  // Someone else's connection has no databases for them; a Google one has none at all.
  EXPECT_EQ(client.get(base, bearer("acme", "bob")).status, 404);
  CookieJar google_jar;
  auto const google = connect("google", ada, google_jar).integration_id();
  auto none = client.get("/api/v1/oauth/integrations/" + google + "/databases", ada);
  EXPECT_EQ(none.status, 409);

  // A connection Notion no longer honours: the user is asked to reconnect.
  mocks()["notion"].revoke_everything();
  auto revoked = client.get(base + "?refresh=true", ada);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(json_of(revoked).at("error").at("code"), "NOTION_TOKEN_INVALID");
}

TEST_F(ServiceTest, ValidationAsksTheProviderAndARefusedTokenSaysToReconnect) {
  start();
  auto const ada = bearer("acme", "ada");
  CookieJar jar;
  auto const id = connect("notion", ada, jar).integration_id();
  ASSERT_FALSE(id.empty());
  auto client = service().client();
  auto const route = "/api/v1/oauth/integrations/" + id + "/validate";
  auto valid = client.send({"POST", route, {{"Authorization", "Bearer " + ada}}});
  ASSERT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(json_of(valid).at("valid"), true);
  EXPECT_FALSE(json_of(valid).at("integration").at("last_validated_at").is_null());
  EXPECT_EQ(mocks()["notion"].requests("api GET /v1/users/me"), 1);

  mocks()["notion"].revoke_everything();
  auto refused = client.send({"POST", route, {{"Authorization", "Bearer " + ada}}});
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(json_of(refused).at("error").at("code"), "NOTION_TOKEN_INVALID");
  EXPECT_EQ(json_of(client.get("/api/v1/oauth/integrations/" + id, ada)).at("status"), "needs_reauth");
  EXPECT_EQ(client.send({"POST", route, {{"Authorization", "Bearer " + bearer("acme", "bob")}}}).status, 404);
}

TEST_F(ServiceTest, AFailedRefreshSaysToReconnectAndIsCounted) {
  start();
  auto const ada = bearer("acme", "ada");
  CookieJar jar;
  auto const id = connect("microsoft", ada, jar).integration_id();
  ASSERT_FALSE(id.empty());
  mocks()["microsoft"].fail({.kind = FaultKind::oauth_error, .endpoint = "token", .error = "invalid_grant"});
  auto client = service().client();
  auto reply =
      client.send({"POST", "/api/v1/oauth/integrations/" + id + "/refresh", {{"Authorization", "Bearer " + ada}}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(json_of(reply).at("error").at("code"), "MICROSOFT_TOKEN_INVALID");
  EXPECT_EQ(json_of(client.get("/api/v1/oauth/integrations/" + id, ada)).at("status"), "needs_reauth");
  auto metrics = client.get("/metrics").body;
  EXPECT_NE(metrics.find(R"(oauth_refreshes_total{provider="microsoft",outcome="failed"} 1)"), std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(
          R"(oauth_provider_failures_total{provider="microsoft",operation="refresh",error="MICROSOFT_TOKEN_INVALID"} 1)"),
      std::string::npos);

  // A provider that is down is a passing failure: 503, and the integration stays active.
  CookieJar again;
  auto const other = connect("google", ada, again).integration_id();
  mocks()["google"].fail({.kind = FaultKind::unavailable, .endpoint = "token", .retry_after_seconds = 0, .times = 5});
  auto busy =
      client.send({"POST", "/api/v1/oauth/integrations/" + other + "/refresh", {{"Authorization", "Bearer " + ada}}});
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(json_of(client.get("/api/v1/oauth/integrations/" + other, ada)).at("status"), "active");
}

TEST_F(ServiceTest, MetricsCountRequestsByRouteWithLatencies) {
  auto client = start().client();
  client.get("/health");
  client.get("/health");
  client.get("/nowhere");
  auto metrics = client.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.header("content-type").starts_with("text/plain; version=0.0.4"));
  auto const& text = metrics.body;
  EXPECT_NE(text.find(R"(oauth_http_requests_total{method="GET",route="/health",status="200"} 2)"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(oauth_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(oauth_http_request_duration_seconds_count{route="/health"} 2)"), std::string::npos);
  EXPECT_NE(text.find(R"(oauth_http_request_duration_seconds_bucket{route="/health",le="+Inf"} 2)"), std::string::npos);
  EXPECT_NE(text.find("oauth_http_open_connections 1"), std::string::npos);
  EXPECT_EQ(text.find("oauth_provider_request_duration_seconds_count"), std::string::npos);

  // A connection asks the provider twice, the code exchanged and the user read: each
  // exchange is timed, by the provider's host.
  CookieJar jar;
  ASSERT_FALSE(connect("google", bearer("acme", "ada"), jar).integration_id().empty());
  auto const after = client.get("/metrics").body;
  auto const host = R"(host="127.0.0.1:)" + std::to_string(mocks()["google"].port()) + R"(")";
  EXPECT_NE(after.find("oauth_provider_request_duration_seconds_count{" + host + "} 2\n"), std::string::npos) << after;
  EXPECT_NE(after.find("oauth_provider_request_duration_seconds_bucket{" + host + R"(,le="+Inf"} 2)"),
            std::string::npos);
}

TEST_F(ServiceTest, EveryRouteIsInTheOpenApiDocumentAndEveryDocumentedRouteAnswers) {
  int status = 0;
  auto const listing = test::run_command(std::string(OAUTH_TEST_SERVICE_BINARY) + " --list-routes", status);
  ASSERT_EQ(status, 0);
  std::set<std::pair<std::string, std::string>> routed;
  std::istringstream lines(listing);
  for (std::string method, path, access; lines >> method >> path >> access;) {
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    routed.emplace(method, path);
  }
  ASSERT_GE(routed.size(), 16u);

  auto client = start().client();
  auto document = client.get("/openapi.json");
  ASSERT_EQ(document.status, 200);
  auto openapi = json_of(document);
  EXPECT_EQ(openapi.at("openapi"), "3.1.0");
  std::set<std::pair<std::string, std::string>> documented;
  for (auto const& [path, operations] : openapi.at("paths").as_object())
    for (auto const& [method, operation] : operations.as_object()) {
      documented.emplace(std::string(method), std::string(path));
      EXPECT_TRUE(operation.as_object().contains("responses")) << method << " " << path;
    }
  EXPECT_EQ(routed, documented);

  // Each documented operation reaches a handler: no 404 ROUTE_NOT_FOUND, no 405.
  for (auto const& [method, path] : documented) {
    auto target = path;
    for (auto [placeholder, value] : {std::pair{"{provider}", "google"}, std::pair{"{id}", "some-id"}})
      if (auto at = target.find(placeholder); at != std::string::npos)
        target.replace(at, std::strlen(placeholder), value);
    std::string upper = method;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    auto reply = client.send({upper, target, {{"Authorization", "Bearer " + bearer("acme", "ada")}}});
    EXPECT_NE(reply.status, 405) << method << " " << target;
    if (reply.status == 404) {
      EXPECT_NE(json_of(reply).at("error").at("code"), "ROUTE_NOT_FOUND") << method << " " << target;
    }
  }
  auto wrong_method = client.send({"PUT", "/api/v1/oauth/integrations"});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("allow"), "GET");
}

}  // namespace
}  // namespace oauth::testing
