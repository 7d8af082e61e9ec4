#include "support/flow_harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace oauth::testing {
namespace {

using providers::Google;
using providers::Microsoft;
using providers::Notion;
using providers::YouTube;

struct AuthorizationTest : ::testing::Test {
  FlowHarness h;

  FlowStart start(std::string session = "session-1") {
    return h.manager.initiate_flow<Google>({"tenant-1", "user-1", std::move(session), {"calendar"}, redirect_uri, {}})
        .value();
  }
  FlowCallback callback_for(FlowStart const& start, std::string session = "session-1") {
    return consent_callback(start.authorization_url, std::move(session));
  }
  /// Failed connects of tenant-1, and those no tenant can be named for (an unknown or
  /// spent state).
  std::vector<AuditEvent> failed_connects() {
    auto log = h.store.audit_log({"tenant-1", "user-1"}).value();
    auto unattributed = h.store.audit_log({"", ""}).value();
    log.insert(log.end(), unattributed.begin(), unattributed.end());
    std::vector<AuditEvent> failed;
    for (auto const& e : log)
      if (e.action == AuditAction::connect && !e.success) failed.push_back(e);
    return failed;
  }
  bool nothing_stored() { return h.store.list({"tenant-1", "user-1"}).value().empty(); }
};

TEST_F(AuthorizationTest, TheUrlCarriesStatePkceAndTheProvidersExtras) {
  auto flow = start();
  auto params = query_params(flow.authorization_url);
  EXPECT_TRUE(flow.authorization_url.starts_with(h.google.base_url() + "/o/oauth2/v2/auth?"));
  EXPECT_EQ(params["state"], flow.state);
  EXPECT_EQ(params["client_id"], "client-id");
  EXPECT_EQ(params["redirect_uri"], redirect_uri);
  EXPECT_EQ(params["code_challenge_method"], "S256");
  EXPECT_EQ(params["code_challenge"].size(), 43u);
  EXPECT_EQ(params["access_type"], "offline");
  EXPECT_EQ(params["scope"], "openid email profile https://www.googleapis.com/auth/calendar");
  EXPECT_EQ(params.count("include_granted_scopes"), 0u);
  auto const lifetime = std::chrono::duration_cast<std::chrono::seconds>(flow.expires_at - h.clock());
  EXPECT_NEAR(lifetime.count(), 600, 2);
}

TEST_F(AuthorizationTest, AProviderNamedAtRunTimeReachesItsTypedApi) {
  EXPECT_EQ(AllProviders::provider_names,
            (std::array<std::string_view, 4>{"google", "microsoft", "notion", "youtube"}));
  std::string visited;
  EXPECT_TRUE(h.manager.visit_provider("notion", [&](auto type) {
    using P = typename decltype(type)::type;
    visited = h.manager.initiate_flow<P>({"tenant-1", "user-1", "s", {}, redirect_uri, {}}).value().authorization_url;
  }));
  EXPECT_TRUE(visited.starts_with(h.notion.base_url() + "/v1/oauth/authorize?"));
  EXPECT_FALSE(h.manager.visit_provider("github", [](auto) { ADD_FAILURE(); }));
}

TEST_F(AuthorizationTest, NotionAsksForOwnerUserAndNoPkce) {
  auto flow = h.manager.initiate_flow<Notion>({"tenant-1", "user-1", "session-1", {}, redirect_uri, {}});
  ASSERT_TRUE(flow);
  auto params = query_params(flow->authorization_url);
  EXPECT_EQ(params["owner"], "user");
  EXPECT_EQ(params.count("code_challenge"), 0u);
}

// RFC 9700 section 4.1: a redirect URI is one of the configured ones, character for
// character; none of the usual tricks makes another one pass for it.
TEST_F(AuthorizationTest, ARedirectUriIsMatchedExactlyAgainstTheConfiguredOnes) {
  for (auto tricked : {"https://app.example/oauth/callback/", "https://APP.example/oauth/callback",
                       "https://app.example/oauth/Callback", "https://app.example/oauth/callback?next=/",
                       "https://app.example/oauth/callback#", "https://app.example:443/oauth/callback",
                       "https://evil@app.example/oauth/callback", "https://app.example@evil.example/oauth/callback",
                       "https://app.example.evil.example/oauth/callback", "https://app.example/oauth/x/../callback",
                       "https://app.example/oauth/callback%2F..", "http://app.example/oauth/callback",
                       "https://app.example/oauth/callback ", "//app.example/oauth/callback", ""}) {
    auto flow = h.manager.initiate_flow<Google>({"tenant-1", "user-1", "session-1", {}, tricked, {}});
    ASSERT_FALSE(flow) << tricked;
    EXPECT_EQ(flow.error(), Errc::redirect_uri_not_allowed) << tricked;
  }
  EXPECT_EQ(h.google.requests("authorize"), 0);
}

// RFC 6749 section 3.1.2 and RFC 9700 section 2.6: no fragment, no credentials in it, and
// TLS, but for a native app's loopback redirect (RFC 8252 section 7.3).
TEST_F(AuthorizationTest, OnlyRedirectUrisAnAuthorizationResponseMayTravelToAreAccepted) {
  for (auto refused : {"https://app.example/cb#frag", "https://user:pass@app.example/cb", "http://app.example/cb",
                       "http://127.0.0.1.evil.example/cb", "javascript:alert(1)", "data:text/html,x", "/relative",
                       "https://app.example/cb?code=x"}) {
    auto configured = h.manager.configure<Google>({"client-id", ClientSecret("s"), {refused}, {}});
    ASSERT_FALSE(configured) << refused;
    EXPECT_EQ(configured.error(), Errc::invalid_argument) << refused;
  }
  for (auto accepted : {"https://app.example/cb?tenant=a", "http://127.0.0.1:53682/callback", "http://[::1]/callback",
                        "http://localhost:8080/cb"})
    EXPECT_TRUE(h.manager.configure<Google>({"client-id", ClientSecret("s"), {accepted}, {}})) << accepted;
}

TEST_F(AuthorizationTest, AnUnconfiguredProviderIsAnError) {
  TokenStore<store::MemoryBackend> store(store::MemoryBackend{}, fresh_keyring());
  Manager<Google, Notion> manager(h.runtime.executor(), store);
  auto flow = manager.initiate_flow<Notion>({"tenant-1", "user-1", "session-1", {}, redirect_uri, {}});
  ASSERT_FALSE(flow);
  EXPECT_EQ(flow.error(), Errc::provider_not_configured);
  EXPECT_EQ(manager.configure<Google>({"", ClientSecret("s"), {redirect_uri}, {}}).error(), Errc::invalid_argument);
  EXPECT_EQ(manager.configure<Google>({"id", ClientSecret("s"), {}, {}}).error(), Errc::invalid_argument);
}

TEST_F(AuthorizationTest, AForgedStateIsRefused) {
  auto flow = start();
  auto callback = callback_for(flow);
  callback.state = crypto::make_state().value();
  auto result = h.manager.complete_flow<Google>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::state_not_found);
  EXPECT_EQ(h.google.requests("token"), 0);
  EXPECT_TRUE(nothing_stored());
}

TEST_F(AuthorizationTest, AReplayedStateIsRefused) {
  auto flow = start();
  auto callback = callback_for(flow);
  auto replay = callback;
  ASSERT_TRUE(h.manager.complete_flow<Google>(std::move(callback)));
  auto result = h.manager.complete_flow<Google>(std::move(replay));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::state_already_used);
  EXPECT_EQ(h.google.requests("token.authorization_code"), 1);
  ASSERT_EQ(failed_connects().size(), 1u);
  EXPECT_NE(failed_connects().front().reason.find("already used"), std::string::npos);
}

// The README's ten minutes are the state's whole life: a user slow at the consent screen
// (nine minutes) still gets connected.
TEST_F(AuthorizationTest, AStateNineMinutesOldIsStillAccepted) {
  auto flow = start();
  auto callback = callback_for(flow);
  h.clock.advance(std::chrono::minutes(9));
  auto result = h.manager.complete_flow<Google>(std::move(callback));
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(result->status, IntegrationStatus::active);
}

TEST_F(AuthorizationTest, AnExpiredStateIsRefused) {
  auto flow = start();
  auto callback = callback_for(flow);
  h.clock.advance(std::chrono::minutes(11));
  auto result = h.manager.complete_flow<Google>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::state_expired);
  EXPECT_TRUE(nothing_stored());
}

TEST_F(AuthorizationTest, AStateFromAnotherSessionIsRefusedAndLeftToItsOwnSession) {
  auto flow = start("session-1");
  auto callback = callback_for(flow, "session-2");
  auto own = callback;
  own.session_id = "session-1";
  auto result = h.manager.complete_flow<Google>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::state_mismatch);
  EXPECT_EQ(h.google.requests("token"), 0);
  EXPECT_TRUE(nothing_stored());
  // The other session's attempt did not use the state up: the user's own callback works.
  EXPECT_TRUE(h.manager.complete_flow<Google>(std::move(own)));
  EXPECT_EQ(failed_connects().size(), 1u);
}

TEST_F(AuthorizationTest, AStoredStateWithoutItsVerifierIsRefusedBeforeTheCodeIsSent) {
  FlowState tampered;
  tampered.state = crypto::make_state().value();
  tampered.provider = "google";
  tampered.tenant_id = "tenant-1";
  tampered.user_id = "user-1";
  tampered.session_id = "session-1";
  tampered.redirect_uri = redirect_uri;
  tampered.created_at = h.clock();
  tampered.expires_at = h.clock() + std::chrono::minutes(10);
  ASSERT_TRUE(h.store.put_state(tampered));  // as if written by something that dropped the verifier
  FlowCallback callback;
  callback.state = tampered.state;
  callback.code = AuthorizationCode("code-injected");
  callback.iss = "https://accounts.google.com";
  callback.session_id = "session-1";
  auto result = h.manager.complete_flow<Google>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::pkce_required);
  EXPECT_EQ(h.google.requests("token"), 0);
}

TEST_F(AuthorizationTest, AStateForAnotherProviderIsRefused) {
  auto flow = start();
  auto callback = callback_for(flow);
  auto result = h.manager.complete_flow<YouTube>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::state_mismatch);
}

TEST_F(AuthorizationTest, AUserWhoDeclinesGetsAccessDenied) {
  h.google.set_deny_consent(true);
  auto flow = start();
  auto callback = callback_for(flow);
  EXPECT_EQ(callback.error, "access_denied");
  auto result = h.manager.complete_flow<Google>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::access_denied);
  EXPECT_TRUE(nothing_stored());
}

struct ExchangeFault {
  FaultKind kind;
  Errc expected;
};

struct CodeExchangeFailure : AuthorizationTest, ::testing::WithParamInterface<ExchangeFault> {};

TEST_P(CodeExchangeFailure, IsTypedStoresNothingAndIsAudited) {
  auto flow = start();
  auto callback = callback_for(flow);
  std::string const code(callback.code.reveal());
  h.google.fail({.kind = GetParam().kind, .endpoint = "token", .error = "invalid_grant"});
  auto result = h.manager.complete_flow<Google>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), GetParam().expected) << result.error().message();
  EXPECT_TRUE(nothing_stored());
  ASSERT_EQ(failed_connects().size(), 1u);
  EXPECT_EQ(failed_connects().front().reason, result.error().message());
  EXPECT_EQ(failed_connects().front().reason.find(code), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Faults, CodeExchangeFailure,
                         ::testing::Values(ExchangeFault{FaultKind::oauth_error, Errc::invalid_grant},
                                           ExchangeFault{FaultKind::malformed_json, Errc::invalid_token_response},
                                           ExchangeFault{FaultKind::oversized_json, Errc::response_too_large},
                                           ExchangeFault{FaultKind::wrong_token_type, Errc::invalid_token_response},
                                           ExchangeFault{FaultKind::redirect, Errc::redirect_refused},
                                           ExchangeFault{FaultKind::server_error, Errc::provider_unavailable},
                                           ExchangeFault{FaultKind::rate_limited, Errc::rate_limited}));

TEST_F(AuthorizationTest, EachRfc6749ErrorBecomesItsOwnCode) {
  std::pair<char const*, Errc> const cases[] = {{"invalid_request", Errc::invalid_request},
                                                {"invalid_client", Errc::invalid_client},
                                                {"invalid_grant", Errc::invalid_grant},
                                                {"unauthorized_client", Errc::unauthorized_client},
                                                {"unsupported_grant_type", Errc::unsupported_grant_type},
                                                {"invalid_scope", Errc::invalid_scope}};
  for (auto const& [name, code] : cases) {
    auto flow = start();
    auto callback = callback_for(flow);
    h.microsoft.fail({.kind = FaultKind::oauth_error, .endpoint = "token", .error = name});
    h.google.fail({.kind = FaultKind::oauth_error, .endpoint = "token", .error = name});
    auto result = h.manager.complete_flow<Google>(std::move(callback));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), code) << name;
    EXPECT_EQ(result.error().provider, "google");
  }
}

TEST_F(AuthorizationTest, MicrosoftAadstsErrorsKeepTheirCodeInTheDescription) {
  auto flow = h.manager.initiate_flow<Microsoft<>>({"tenant-1", "user-1", "s", {}, redirect_uri, {}}).value();
  auto callback = consent_callback(flow.authorization_url, "s");
  h.microsoft.fail({.kind = FaultKind::oauth_error, .endpoint = "token", .error = "invalid_client"});
  auto result = h.manager.complete_flow<Microsoft<>>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::invalid_client);
  EXPECT_EQ(result.error().provider_status, 401u);
  EXPECT_NE(result.error().description.find("AADSTS7000215"), std::string::npos) << result.error().description;
}

TEST_F(AuthorizationTest, NotionGetsBasicAuthJsonAndItsVersionHeader) {
  auto integration = h.connect<Notion>();
  ASSERT_TRUE(integration) << integration.error().message();
  auto headers = h.notion.last_headers("token");
  EXPECT_TRUE(headers["authorization"].starts_with("Basic "));
  EXPECT_EQ(headers["notion-version"], "2025-09-03");
  EXPECT_EQ(headers["content-type"], "application/json");
  EXPECT_EQ(h.notion.last_body("token").find("client_secret"), std::string::npos);
}

TEST_F(AuthorizationTest, TwoAccountsAtOneProviderAreTwoIntegrationsAndReconnectingUpdates) {
  auto first = h.connect<Google>();
  h.google.set_account({.id = "account-2", .email = "ada@work.example"});
  auto second = h.connect<Google>();
  h.notion.set_account({.id = "notion-user", .workspace_id = "ws-a", .workspace_name = "A"});
  auto notion_a = h.connect<Notion>();
  h.notion.set_account({.id = "notion-user", .workspace_id = "ws-b", .workspace_name = "B"});
  auto notion_b = h.connect<Notion>();
  ASSERT_TRUE(first && second && notion_a && notion_b);
  EXPECT_NE(first->id, second->id);
  EXPECT_NE(notion_a->id, notion_b->id);
  EXPECT_EQ(notion_a->account_id, "ws-a");  // a Notion integration is a workspace
  EXPECT_EQ(notion_a->identity.account_id, "notion-user");
  EXPECT_EQ(notion_b->identity.workspace->name, "B");

  auto again = h.connect<Notion>();  // ws-b once more
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, notion_b->id);
  EXPECT_EQ(h.manager.integrations("tenant-1", "user-1").value().size(), 4u);
}

TEST_F(AuthorizationTest, ProgressiveActivationAsksOnlyForWhatIsMissing) {
  auto coverage = h.manager.scope_coverage<Google>("tenant-1", "user-1", {"calendar.readonly"});
  ASSERT_TRUE(coverage);
  EXPECT_FALSE(coverage->granted);

  ASSERT_TRUE(h.connect<Google>("user-1", {"calendar.readonly"}));
  coverage = h.manager.scope_coverage<Google>("tenant-1", "user-1", {"calendar.readonly", "drive.readonly"});
  ASSERT_TRUE(coverage);
  EXPECT_FALSE(coverage->granted);
  EXPECT_EQ(coverage->missing, std::vector<std::string>{"https://www.googleapis.com/auth/drive.readonly"});

  std::vector<std::string> missing(coverage->missing.begin(), coverage->missing.end());
  auto flow = h.manager.initiate_flow<Google>({"tenant-1", "user-1", "session-1", missing, redirect_uri, {}});
  ASSERT_TRUE(flow);
  EXPECT_EQ(query_params(flow->authorization_url)["include_granted_scopes"], "true");
  auto integration = h.manager.complete_flow<Google>(consent_callback(flow->authorization_url, "session-1"));
  ASSERT_TRUE(integration);
  coverage = h.manager.scope_coverage<Google>("tenant-1", "user-1", {"calendar.readonly", "drive.readonly"});
  EXPECT_TRUE(coverage->granted);
  EXPECT_EQ(h.manager.integrations("tenant-1", "user-1").value().size(), 1u);
  EXPECT_EQ(h.manager.scope_coverage<Google>("tenant-1", "user-1", {"no.such.scope"}).error(), Errc::unknown_scope);
}

TEST_F(AuthorizationTest, BlockingOnTheManagersOwnThreadIsRefusedNotDeadlocked) {
  auto integration = h.connect<Google>("user-1", {"calendar.readonly"});
  ASSERT_TRUE(integration);
  auto on_the_executor = [&] {
    std::promise<Result<AccessGrant>> inner;
    boost::asio::post(h.runtime.executor(), [&] {
      inner.set_value(h.manager.get_access_token<Google>("tenant-1", "user-1", integration->id));
    });
    return inner.get_future().get();
  };
  // A fresh token needs no network: it is read on the calling thread, whichever it is.
  EXPECT_TRUE(on_the_executor());
  // A refresh would wait for the thread that is waiting.
  h.clock.advance(std::chrono::hours(2));
  auto result = on_the_executor();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::would_deadlock);
  EXPECT_EQ(h.google.requests("token.refresh_token"), 0);
}

TEST_F(AuthorizationTest, CallbacksAndCoroutinesReceiveTheSameResults) {
  auto integration = h.connect<Google>();
  ASSERT_TRUE(integration);
  std::promise<std::string> from_callback;
  h.manager.async_get_access_token<Google>("tenant-1", "user-1", integration->id, [&](Result<AccessGrant> r) {
    from_callback.set_value(r ? std::string(r->access_token.reveal()) : r.error().message());
  });
  auto from_coroutine = boost::asio::co_spawn(
      h.runtime.executor(),
      [&]() -> boost::asio::awaitable<std::string> {
        std::string id = integration->id;
        auto r = co_await h.manager.async_get_access_token<Google>("tenant-1", "user-1", std::move(id),
                                                                   boost::asio::use_awaitable);
        co_return r ? std::string(r->access_token.reveal()) : r.error().message();
      },
      boost::asio::use_future);
  auto const expected = h.manager.get_access_token<Google>("tenant-1", "user-1", integration->id).value();
  EXPECT_EQ(from_callback.get_future().get(), expected.access_token.reveal());
  EXPECT_EQ(from_coroutine.get(), expected.access_token.reveal());
}

// ---- RFC 9207: the authorization response names its issuer ----------------------------

TEST_F(AuthorizationTest, GooglesIssIsCheckedAndAccepted) {
  auto flow = start();
  auto callback = callback_for(flow);
  ASSERT_EQ(callback.iss, "https://accounts.google.com");
  EXPECT_TRUE(h.manager.complete_flow<Google>(std::move(callback)));
}

TEST_F(AuthorizationTest, AWrongIssIsRefusedBeforeTheCodeIsExchangedForEveryProvider) {
  auto attempt = [&]<class P>(std::type_identity<P>) {
    h.mock<P>().set_iss("https://evil.example");
    auto flow = h.manager.initiate_flow<P>({"tenant-1", "user-1", "session-1", {}, redirect_uri, {}}).value();
    auto callback = callback_for(flow);
    ASSERT_EQ(callback.iss, "https://evil.example");
    auto result = h.manager.complete_flow<P>(std::move(callback));
    ASSERT_FALSE(result) << P::name;
    EXPECT_EQ(result.error(), Errc::issuer_mismatch) << P::name;
    EXPECT_EQ(h.mock<P>().requests("token"), 0) << P::name;
  };
  attempt(std::type_identity<Google>{});
  attempt(std::type_identity<YouTube>{});
  attempt(std::type_identity<Microsoft<>>{});
  attempt(std::type_identity<Notion>{});
  EXPECT_TRUE(nothing_stored());
  auto const failed = failed_connects();
  ASSERT_EQ(failed.size(), 4u);
  for (auto const& event : failed) EXPECT_NE(event.reason.find("another issuer"), std::string::npos) << event.reason;
}

TEST_F(AuthorizationTest, AnErrorResponseFromAnotherIssuerIsRefusedAsSuch) {
  h.google.set_deny_consent(true);
  h.google.set_iss("https://evil.example");
  auto callback = callback_for(start());
  EXPECT_EQ(callback.error, "access_denied");
  EXPECT_EQ(h.manager.complete_flow<Google>(std::move(callback)).error(), Errc::issuer_mismatch);
}

TEST_F(AuthorizationTest, AMissingIssIsRefusedOnlyWhereTheProviderPromisedIt) {
  h.google.set_iss("");
  auto unannounced = callback_for(start());
  EXPECT_FALSE(unannounced.iss);
  EXPECT_TRUE(h.manager.complete_flow<Google>(std::move(unannounced)));

  ASSERT_TRUE(h.manager.configure<Google>({.client_id = "client-id",
                                           .client_secret = ClientSecret("client-secret"),
                                           .redirect_uris = {redirect_uri},
                                           .endpoint_base = h.google.base_url(),
                                           .authorization_response_iss_parameter_supported = true}));
  auto promised = callback_for(start());
  auto result = h.manager.complete_flow<Google>(std::move(promised));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::issuer_mismatch);
  EXPECT_EQ(h.google.requests("token.authorization_code"), 1);
}

// The mix-up attack (RFC 9700 section 4.4): the user starts at one provider, a dishonest
// one bounces the browser to an honest one, whose code and the first flow's state come
// back on the redirect URI both share. The honest provider's iss gives it away.
TEST_F(AuthorizationTest, AMixUpAcrossProvidersSharingARedirectUriIsRefused) {
  auto at_microsoft = h.manager.initiate_flow<Microsoft<>>({"tenant-1", "user-1", "session-1", {}, redirect_uri, {}});
  ASSERT_TRUE(at_microsoft);
  auto at_google = consent_callback(start().authorization_url, "session-1");
  ASSERT_EQ(at_google.iss, "https://accounts.google.com");
  FlowCallback mixed = at_google;
  mixed.state = at_microsoft->state;
  auto result = h.manager.complete_flow<Microsoft<>>(std::move(mixed));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::issuer_mismatch);
  EXPECT_EQ(h.microsoft.requests("token"), 0);
  EXPECT_EQ(h.google.requests("token"), 0);
  EXPECT_TRUE(nothing_stored());
}

TEST(IssuerMatching, IsCharacterForCharacterWithMicrosoftsTenantTemplate) {
  EXPECT_TRUE(issuer_matches("https://accounts.google.com", "https://accounts.google.com"));
  for (auto other :
       {"https://accounts.google.com/", "https://Accounts.google.com", "https://accounts.google.com:443",
        "http://accounts.google.com", "accounts.google.com", "https://accounts.google.com.evil.example", ""})
    EXPECT_FALSE(issuer_matches("https://accounts.google.com", other)) << other;
  constexpr std::string_view common = Microsoft<>::issuer;
  EXPECT_EQ(common, "https://login.microsoftonline.com/{tenantid}/v2.0");
  EXPECT_TRUE(issuer_matches(common, "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"));
  for (auto other : {"https://login.microsoftonline.com/{tenantid}/v2.0", "https://login.microsoftonline.com/v2.0",
                     "https://login.microsoftonline.com/72F988BF-86F1-41AF-91AB-2D7CD011DB47/v2.0",
                     "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/",
                     "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
                     "https://evil.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"})
    EXPECT_FALSE(issuer_matches(common, other)) << other;
  EXPECT_EQ(Microsoft<"consumers">::issuer,
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0");
  EXPECT_EQ(Microsoft<"72f988bf-86f1-41af-91ab-2d7cd011db47">::issuer,
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0");
  EXPECT_EQ(issuer<Notion>(), "");
  EXPECT_EQ(issuer<YouTube>(), "https://accounts.google.com");
  EXPECT_FALSE(check_issuer("notion", expected_issuer<Notion>(), std::string_view("https://api.notion.com")));
  EXPECT_TRUE(check_issuer("notion", expected_issuer<Notion>(), std::nullopt));
}

}  // namespace
}  // namespace oauth::testing
