#include "support/flow_harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace oauth::testing {
namespace {

using providers::Google;
using providers::Microsoft;
using providers::Notion;
using providers::YouTube;

template <class P>
struct EveryProvider : ::testing::Test {
  FlowHarness h;

  Result<Integration> connect(std::string user = "user-1") {
    return h.connect<P>(std::move(user), FlowHarness::refreshable_scopes<P>());
  }
  Result<AccessGrant> token(Integration const& i, std::string tenant = "tenant-1", std::string user = "user-1") {
    return h.manager.template get_access_token<P>(tenant, user, i.id);
  }
  /// Moves the manager's clock past the token's expiry, for providers whose tokens expire.
  void expire() { h.clock.advance(std::chrono::hours(2)); }
  static constexpr bool expires = !std::is_same_v<P, Notion>;
};

using Providers = providers::Builtin::apply<::testing::Types>;
TYPED_TEST_SUITE(EveryProvider, Providers);

TYPED_TEST(EveryProvider, ConnectsStoresEncryptedRecordsConsentAndAudits) {
  auto integration = this->connect();
  ASSERT_TRUE(integration) << integration.error().message();
  EXPECT_EQ(integration->provider, TypeParam::name);
  EXPECT_EQ(integration->status, IntegrationStatus::active);
  EXPECT_FALSE(integration->account_id.empty());
  if constexpr (std::is_same_v<TypeParam, Notion>) {
    ASSERT_TRUE(integration->identity.workspace);
    EXPECT_EQ(integration->identity.workspace->id, "workspace-1");
    EXPECT_EQ(integration->identity.workspace->name, "Analytical Engines");
    EXPECT_EQ(integration->identity.workspace->bot_id, "bot-workspace-1");
    EXPECT_EQ(integration->identity.email, "ada@example.com");
  } else if constexpr (std::is_same_v<TypeParam, YouTube>) {
    EXPECT_EQ(integration->account_id, "UCaccount-1");
  } else {
    EXPECT_EQ(integration->identity.email, "ada@example.com");
  }

  auto grant = this->token(*integration);
  ASSERT_TRUE(grant) << grant.error().message();
  EXPECT_TRUE(this->h.template mock<TypeParam>().token_active(std::string(grant->access_token.reveal())));

  auto record = this->h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->access_token_ciphertext.find(grant->access_token.reveal()), std::string::npos);
  auto opened = this->h.store.keyring().decrypt(record->access_token_ciphertext);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->plaintext, grant->access_token.reveal());

  auto consents = this->h.store.consents({"tenant-1", "user-1"});
  ASSERT_TRUE(consents);
  ASSERT_EQ(consents->size(), 1u);
  EXPECT_EQ(consents->front().integration_id, integration->id);
  EXPECT_EQ(consents->front().client_ip, "203.0.113.7");
  EXPECT_EQ(consents->front().user_agent, "flow-test");
  EXPECT_EQ(consents->front().scopes, integration->scopes);
  EXPECT_EQ(consents->front().consent_version, "1");
  EXPECT_FALSE(consents->front().expires_at);

  auto log = this->h.store.audit_log({"tenant-1", "user-1"});
  ASSERT_TRUE(log);
  auto connected =
      std::find_if(log->begin(), log->end(), [](auto const& e) { return e.action == AuditAction::connect; });
  ASSERT_NE(connected, log->end());
  EXPECT_TRUE(connected->success);
  EXPECT_EQ(connected->integration_id, integration->id);
  EXPECT_EQ(connected->client_ip, "203.0.113.7");
  EXPECT_EQ(connected->user_agent, "flow-test");
  EXPECT_EQ(connected->scopes, integration->scopes);
  // Configuring the provider put its scope catalogue in the store.
  EXPECT_EQ(this->h.store.scope_catalogue(TypeParam::name)->size(), TypeParam::scopes.size());
  for (auto const& event : *log) EXPECT_EQ(event.reason.find(grant->access_token.reveal()), std::string::npos);
}

TYPED_TEST(EveryProvider, AFreshTokenIsHandedOutWithoutAskingTheProvider) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  auto first = this->token(*integration);
  auto second = this->token(*integration);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->access_token, second->access_token);
  EXPECT_FALSE(second->refreshed);
  EXPECT_EQ(this->h.template mock<TypeParam>().requests("token.refresh_token"), 0);
}

TYPED_TEST(EveryProvider, AnIntegrationKnownByItsIdAloneIsServedByItsOwnProvider) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  auto& manager = this->h.manager;
  auto by_id = manager.get_access_token_by_id("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(by_id) << by_id.error().message();
  EXPECT_EQ(by_id->provider, TypeParam::name);
  EXPECT_EQ(by_id->access_token, this->token(*integration)->access_token);
  EXPECT_FALSE(by_id->refreshed);
  EXPECT_EQ(manager.get_access_token_by_id("tenant-1", "user-2", integration->id).error(), Errc::integration_not_found);

  auto& mock = this->h.template mock<TypeParam>();
  if (this->expires) {
    this->expire();
    auto refreshed =
        manager.async_get_access_token_by_id("tenant-1", "user-1", integration->id, boost::asio::use_future).get();
    ASSERT_TRUE(refreshed) << refreshed.error().message();
    EXPECT_TRUE(refreshed->refreshed);
    EXPECT_EQ(refreshed->provider, TypeParam::name);
    EXPECT_TRUE(mock.token_active(std::string(refreshed->access_token.reveal())));
    EXPECT_EQ(mock.requests("token.refresh_token"), 1);
  }

  // A manager that lacks the integration's provider names it as not configured.
  using Other = std::conditional_t<std::is_same_v<TypeParam, Google>, Notion, Google>;
  Manager<Other> other(this->h.runtime.executor(), this->h.store, FlowHarness::transport(this->h.runtime.executor()));
  EXPECT_EQ(other.get_access_token_by_id("tenant-1", "user-1", integration->id).error(), Errc::provider_not_configured);
}

TYPED_TEST(EveryProvider, ARefreshByIdIsAskedOfTheIntegrationsOwnProvider) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  auto& manager = this->h.manager;
  auto& mock = this->h.template mock<TypeParam>();
  auto const before = this->token(*integration);
  ASSERT_TRUE(before);
  // Another user is told it does not exist, and no refresh is asked for.
  EXPECT_EQ(manager.refresh_by_id("tenant-1", "user-2", integration->id).error(), Errc::integration_not_found);
  EXPECT_EQ(mock.requests("token.refresh_token"), 0);
  // Fresh as the token is, it is refreshed: blocking, then with a completion token.
  auto refreshed = manager.refresh_by_id("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(refreshed) << refreshed.error().message();
  EXPECT_TRUE(refreshed->refreshed);
  EXPECT_EQ(refreshed->provider, TypeParam::name);
  EXPECT_NE(refreshed->access_token, before->access_token);
  auto again = manager.async_refresh_by_id("tenant-1", "user-1", integration->id, boost::asio::use_future).get();
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_NE(again->access_token, refreshed->access_token);
  EXPECT_EQ(this->token(*integration)->access_token, again->access_token);
  EXPECT_TRUE(mock.token_active(std::string(again->access_token.reveal())));
  EXPECT_EQ(mock.requests("token.refresh_token"), 2);
}

TYPED_TEST(EveryProvider, LastUseIsRecordedOncePerResolutionNotOnEveryCall) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  EXPECT_FALSE(integration->last_used_at);
  ASSERT_TRUE(this->token(*integration));
  auto const first = this->h.manager.integration("tenant-1", "user-1", integration->id)->last_used_at;
  ASSERT_TRUE(first);
  this->h.clock.advance(std::chrono::minutes(5));
  ASSERT_TRUE(this->token(*integration));
  EXPECT_EQ(this->h.manager.integration("tenant-1", "user-1", integration->id)->last_used_at, first);
  this->h.clock.advance(std::chrono::minutes(11));
  ASSERT_TRUE(this->token(*integration));
  auto const later = this->h.manager.integration("tenant-1", "user-1", integration->id)->last_used_at;
  ASSERT_TRUE(later);
  EXPECT_GT(*later, *first);
}

TYPED_TEST(EveryProvider, APendingIntegrationHandsOutNoToken) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  ASSERT_TRUE(this->h.store.set_status({"tenant-1", "user-1"}, integration->id, IntegrationStatus::pending));
  auto grant = this->token(*integration);
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error(), Errc::integration_not_found);
}

TYPED_TEST(EveryProvider, AnExpiredTokenIsRefreshedAndARotatedRefreshTokenKept) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  auto& mock = this->h.template mock<TypeParam>();
  for (int round = 1; round <= 3; ++round) {
    if (this->expires) this->expire();
    auto grant = this->expires ? this->token(*integration)
                               : this->h.manager.template refresh<TypeParam>("tenant-1", "user-1", integration->id);
    ASSERT_TRUE(grant) << "round " << round << ": " << grant.error().message();
    EXPECT_TRUE(grant->refreshed);
    EXPECT_TRUE(mock.token_active(std::string(grant->access_token.reveal())));
    // Each round uses the refresh token the previous one stored: a rotated token lost
    // would fail here with invalid_grant.
    EXPECT_EQ(mock.requests("token.refresh_token"), round);
  }
  auto stored = this->h.store.credential({"tenant-1", "user-1"}, integration->id);
  ASSERT_TRUE(stored && stored->refresh_token);
  EXPECT_TRUE(mock.token_active(std::string(stored->refresh_token->reveal())));
}

TYPED_TEST(EveryProvider, AThousandConcurrentCallersShareOneRefresh) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  if (this->expires) this->expire();
  // The provider's answer is held until every caller shares the refresh. Notion's tokens
  // do not expire, so its callers ask for a refresh outright, and one asked after the
  // refresh had finished would rightly get another: the latch is what makes them overlap.
  auto& mock = this->h.template mock<TypeParam>();
  mock.hold("token");
  std::vector<std::future<Result<AccessGrant>>> calls;
  calls.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    if (this->expires)
      calls.push_back(this->h.manager.template async_get_access_token<TypeParam>("tenant-1", "user-1", integration->id,
                                                                                 boost::asio::use_future));
    else
      calls.push_back(this->h.manager.template async_refresh<TypeParam>("tenant-1", "user-1", integration->id,
                                                                        boost::asio::use_future));
  }
  // A minute is only there so that a broken single flight fails instead of hanging.
  for (auto const give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
       this->h.manager.refresh_activity().callers < calls.size() && std::chrono::steady_clock::now() < give_up;)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto const waiting = this->h.manager.refresh_activity();
  mock.release();
  EXPECT_EQ(waiting.callers, calls.size());
  EXPECT_EQ(waiting.refreshes, 1u);
  auto tokens = distinct_tokens(calls);
  ASSERT_TRUE(tokens) << tokens.error().message();
  EXPECT_EQ(mock.requests("token.refresh_token"), 1);
  EXPECT_EQ(tokens->size(), 1u);
  EXPECT_EQ(this->h.manager.refresh_activity().callers, 0u);
}

TYPED_TEST(EveryProvider, DisconnectRevokesWhereItCanAndForgetsTheTokens) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  auto grant = this->token(*integration);
  ASSERT_TRUE(grant);
  auto& mock = this->h.template mock<TypeParam>();
  auto done = this->h.manager.template disconnect<TypeParam>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_EQ(done->integration.status, IntegrationStatus::disconnected);
  if constexpr (Revocable<TypeParam>) {
    EXPECT_TRUE(done->revoked_at_provider);
    EXPECT_GE(mock.requests("revoke"), 1);
    EXPECT_FALSE(mock.token_active(std::string(grant->access_token.reveal())));
  } else {
    EXPECT_FALSE(done->revoked_at_provider);
    EXPECT_EQ(mock.requests("revoke"), 0);
  }
  auto record = this->h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, IntegrationStatus::disconnected);
  EXPECT_TRUE(record->access_token_ciphertext.empty());
  EXPECT_TRUE(record->refresh_token_ciphertext.empty());
  EXPECT_TRUE(this->h.store.consents({"tenant-1", "user-1"})->empty());
  EXPECT_EQ(this->token(*integration).error(), Errc::integration_not_found);
  auto log = this->h.store.audit_log({"tenant-1", "user-1"}).value();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](auto const& e) { return e.action == AuditAction::disconnect; }));
}

TYPED_TEST(EveryProvider, ValidationAsksTheProviderAndRecordsTheAnswer) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  EXPECT_FALSE(integration->last_validated_at);
  auto& mock = this->h.template mock<TypeParam>();
  // Notion's read call is its bot user, an API call; the others' is their userinfo.
  auto const endpoint = HasUserInfoEndpoint<TypeParam> ? "userinfo" : "api";
  auto const asked = mock.requests(endpoint);

  this->h.clock.advance(std::chrono::minutes(5));
  auto const before = this->h.clock();
  auto checked = this->h.manager.template validate<TypeParam>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(checked) << checked.error().message();
  EXPECT_TRUE(checked->valid);
  EXPECT_FALSE(checked->problem);
  ASSERT_TRUE(checked->integration.last_validated_at);
  EXPECT_GE(*checked->integration.last_validated_at, before);
  EXPECT_LE(*checked->integration.last_validated_at, this->h.clock());
  EXPECT_EQ(mock.requests(endpoint), asked + 1);

  // The provider cannot be reached: an error, and nothing recorded.
  mock.fail({.kind = FaultKind::unavailable,
             .endpoint = endpoint,
             .retry_after_seconds = 0,
             .times = ManagerOptions{}.api_retry.max_attempts});
  this->h.clock.advance(std::chrono::minutes(5));
  auto unreachable = this->h.manager.template validate<TypeParam>("tenant-1", "user-1", integration->id);
  ASSERT_FALSE(unreachable);
  EXPECT_TRUE(is_transient(unreachable.error()));
  EXPECT_EQ(this->h.manager.integration("tenant-1", "user-1", integration->id)->last_validated_at,
            checked->integration.last_validated_at);

  // The user removed the application at the provider: the integration needs them again.
  mock.revoke_everything();
  auto revoked = this->h.manager.template validate<TypeParam>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(revoked) << revoked.error().message();
  EXPECT_FALSE(revoked->valid);
  ASSERT_TRUE(revoked->problem);
  EXPECT_EQ(*revoked->problem, Errc::needs_reauth);
  EXPECT_EQ(revoked->integration.status, IntegrationStatus::needs_reauth);
  ASSERT_EQ(this->h.reauth_events.size(), 1u);
  auto again = this->h.manager.template validate<TypeParam>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->valid);
  EXPECT_EQ(this->h.manager.template validate<TypeParam>("tenant-1", "user-2", integration->id).error(),
            Errc::integration_not_found);
}

TYPED_TEST(EveryProvider, AnotherUserOrTenantIsToldNothingExistsAndTheAttemptIsAudited) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  EXPECT_EQ(this->token(*integration, "tenant-1", "user-2").error(), Errc::integration_not_found);
  EXPECT_EQ(this->token(*integration, "tenant-2", "user-1").error(), Errc::integration_not_found);
  auto other_tenant_log = this->h.store.audit_log({"tenant-2", "user-1"}).value();
  ASSERT_EQ(other_tenant_log.size(), 1u);
  EXPECT_EQ(other_tenant_log.front().action, AuditAction::access_denied);
  EXPECT_EQ(other_tenant_log.front().integration_id, integration->id);
  auto log = this->h.store.audit_log({"tenant-1", "user-2"}).value();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](auto const& e) {
    return e.action == AuditAction::access_denied && e.user_id == "user-2";
  }));
}

TYPED_TEST(EveryProvider, InvalidGrantOnRefreshMarksNeedsReauthAndTellsTheApplication) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  auto& mock = this->h.template mock<TypeParam>();
  mock.fail({.kind = FaultKind::oauth_error, .endpoint = "token", .error = "invalid_grant"});
  if (this->expires) this->expire();
  auto grant = this->expires ? this->token(*integration)
                             : this->h.manager.template refresh<TypeParam>("tenant-1", "user-1", integration->id);
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error(), Errc::needs_reauth);
  auto record = this->h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, IntegrationStatus::needs_reauth);
  EXPECT_FALSE(record->refresh_token_ciphertext.empty());
  ASSERT_EQ(this->h.reauth_events.size(), 1u);
  EXPECT_EQ(this->h.reauth_events.front().integration_id, integration->id);
  EXPECT_EQ(this->h.reauth_events.front().reason, Errc::invalid_grant);
  auto const requests = mock.requests("token");
  EXPECT_EQ(this->token(*integration).error(), Errc::needs_reauth);
  EXPECT_EQ(mock.requests("token"), requests);
  // Connecting again brings it back.
  auto again = this->connect();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, integration->id);
  EXPECT_EQ(again->status, IntegrationStatus::active);
}

TYPED_TEST(EveryProvider, PassingFailuresAreRetriedAndNeverMarkTheIntegration) {
  auto integration = this->connect();
  ASSERT_TRUE(integration);
  auto& mock = this->h.template mock<TypeParam>();
  mock.fail({.kind = FaultKind::server_error, .endpoint = "token", .times = 2});
  if (this->expires) this->expire();
  auto grant = this->expires ? this->token(*integration)
                             : this->h.manager.template refresh<TypeParam>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(grant) << grant.error().message();
  EXPECT_EQ(mock.requests("token.refresh_token"), 1);  // the third attempt; the two 500s were refused before

  mock.fail({.kind = FaultKind::server_error, .endpoint = "token", .times = 3});
  this->h.clock.advance(std::chrono::hours(2));
  auto failed = this->h.manager.template refresh<TypeParam>("tenant-1", "user-1", integration->id);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), Errc::provider_unavailable);
  EXPECT_EQ(failed.error().provider_status, 500u);
  auto record = this->h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id);
  EXPECT_EQ(record->status, IntegrationStatus::active);
  EXPECT_TRUE(this->h.reauth_events.empty());
}

/// Google's endpoints, described by an application that never asked for offline access:
/// its tokens cannot be refreshed, so the manager has no refresh path for it at all.
struct OnlineOnlyGoogle : providers::GoogleAccounts {
  static constexpr std::string_view name = "google-online";
  static constexpr bool supports_refresh = false;
  static constexpr std::string_view userinfo_endpoint = providers::Google::userinfo_endpoint;
  static constexpr auto authorization_params = std::array{Param{"access_type", "online"}};
  static constexpr auto scopes = providers::Google::scopes;
  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    return providers::Google::map_user_info(json);
  }
};
static_assert(!Refreshable<OnlineOnlyGoogle>);

/// Configures the manager for OnlineOnlyGoogle and connects user-1 of tenant-1 with it.
Result<Integration> connect_online_only(FlowHarness& h, Manager<OnlineOnlyGoogle>& manager) {
  if (auto configured = manager.configure<OnlineOnlyGoogle>(
          {"client-id", ClientSecret("client-secret"), {redirect_uri}, h.google.base_url()});
      !configured)
    return configured.error();
  auto start = manager.initiate_flow<OnlineOnlyGoogle>({"tenant-1", "user-1", "s", {}, redirect_uri, {}});
  if (!start) return start.error();
  return manager.complete_flow<OnlineOnlyGoogle>(consent_callback(start->authorization_url, "s"));
}

TEST(NoRefresh, AnExpiredTokenOfAProviderThatCannotRefreshNeedsReauthorization) {
  FlowHarness h;
  TokenStore<store::MemoryBackend> store(store::MemoryBackend{}, fresh_keyring());
  ManagerOptions options;
  options.clock = h.clock;
  std::vector<ReauthNeeded> told;
  options.on_reauth_needed = [&](ReauthNeeded const& event) { told.push_back(event); };
  Manager<OnlineOnlyGoogle> manager(h.runtime.executor(), store, FlowHarness::transport(h.runtime.executor()),
                                    std::move(options));
  auto integration = connect_online_only(h, manager);
  ASSERT_TRUE(integration) << integration.error().message();

  EXPECT_TRUE(manager.get_access_token<OnlineOnlyGoogle>("tenant-1", "user-1", integration->id));
  h.clock.advance(std::chrono::hours(2));
  auto expired = manager.get_access_token<OnlineOnlyGoogle>("tenant-1", "user-1", integration->id);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error(), Errc::needs_reauth);
  EXPECT_EQ(h.google.requests("token"), 1);  // the code exchange only
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told.front().reason, Errc::token_expired);
}

TEST(NoRefresh, ARefreshByIdOfAProviderThatCannotRefreshIsRefusedWithoutAskingIt) {
  FlowHarness h;
  TokenStore<store::MemoryBackend> store(store::MemoryBackend{}, fresh_keyring());
  Manager<OnlineOnlyGoogle> manager(h.runtime.executor(), store, FlowHarness::transport(h.runtime.executor()));
  auto integration = connect_online_only(h, manager);
  ASSERT_TRUE(integration) << integration.error().message();
  auto const before = manager.get_access_token<OnlineOnlyGoogle>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(before);

  EXPECT_EQ(manager.refresh_by_id("tenant-1", "user-1", integration->id).error(), Errc::refresh_unsupported);
  auto refused = manager.async_refresh_by_id("tenant-1", "user-1", integration->id, boost::asio::use_future).get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), Errc::refresh_unsupported);
  // The owner alone learns that much; anyone else is told it does not exist.
  EXPECT_EQ(manager.refresh_by_id("tenant-1", "user-2", integration->id).error(), Errc::integration_not_found);
  EXPECT_EQ(h.google.requests("token"), 1);  // the code exchange only
  auto const after = manager.get_access_token<OnlineOnlyGoogle>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->access_token, before->access_token);
  EXPECT_EQ(manager.integration("tenant-1", "user-1", integration->id)->status, IntegrationStatus::active);
}

/// A transport of the application's own: here, one that records what is sent.
struct RecordingTransport {
  HttpsTransport inner;
  std::shared_ptr<std::vector<std::string>> sent = std::make_shared<std::vector<std::string>>();

  template <class CompletionToken>
  auto async_send(HttpRequest request, CompletionToken&& token) {
    sent->push_back((request.method == HttpMethod::get ? "GET " : "POST ") +
                    request.url.substr(0, request.url.find('?')));
    return inner.async_send(std::move(request), std::forward<CompletionToken>(token));
  }
};
static_assert(Transport<RecordingTransport>);

TEST(CustomTransport, AnApplicationsOwnTransportCarriesEveryRequest) {
  FlowHarness h;
  TokenStore<store::MemoryBackend> store(store::MemoryBackend{}, fresh_keyring());
  RecordingTransport transport{FlowHarness::transport(h.runtime.executor())};
  auto sent = transport.sent;
  Manager<Notion> manager(h.runtime.executor(), store, std::move(transport));
  ASSERT_TRUE(
      manager.configure<Notion>({"client-id", ClientSecret("client-secret"), {redirect_uri}, h.notion.base_url()}));
  auto start = manager.initiate_flow<Notion>({"tenant-1", "user-1", "s", {}, redirect_uri, {}}).value();
  auto integration = manager.complete_flow<Notion>(consent_callback(start.authorization_url, "s"));
  ASSERT_TRUE(integration);
  ASSERT_TRUE(manager.refresh<Notion>("tenant-1", "user-1", integration->id));
  ASSERT_TRUE(manager.disconnect<Notion>("tenant-1", "user-1", integration->id));
  auto const base = h.notion.base_url();
  EXPECT_EQ(*sent, (std::vector<std::string>{"POST " + base + "/v1/oauth/token", "POST " + base + "/v1/oauth/token",
                                             "POST " + base + "/v1/oauth/revoke"}));
}

}  // namespace
}  // namespace oauth::testing
