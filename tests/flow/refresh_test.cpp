#include "support/flow_harness.hpp"

#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace oauth::testing {
namespace {

using providers::Google;
using providers::Microsoft;
using providers::Notion;

TEST(Refresh, QuirkyResponsesAreReadTolerantly) {
  FlowHarness h({.expires_in_as_string = true, .scope_as_array = true});
  auto integration = h.connect<Microsoft<>>("user-1", {"Calendars.ReadWrite"});
  ASSERT_TRUE(integration) << integration.error().message();
  ASSERT_TRUE(integration->expires_at);
  EXPECT_NEAR(std::chrono::duration_cast<std::chrono::seconds>(*integration->expires_at - h.clock()).count(), 3600, 5);
  EXPECT_NE(std::find(integration->scopes.begin(), integration->scopes.end(), "Calendars.ReadWrite"),
            integration->scopes.end());
}

TEST(Refresh, TheLeewayIsNeverMoreThanHalfAShortTokensLifetime) {
  FlowHarness h({.access_token_lifetime = std::chrono::seconds(90)});
  auto integration = h.connect<Microsoft<>>();
  ASSERT_TRUE(integration);
  // 90 s token, 60 s leeway: refreshing 60 s early would refresh after 30 s, every time.
  // The leeway is capped at 45 s.
  h.clock.advance(std::chrono::seconds(40));
  ASSERT_TRUE(h.manager.get_access_token<Microsoft<>>("tenant-1", "user-1", integration->id));
  EXPECT_EQ(h.microsoft.requests("token.refresh_token"), 0);
  h.clock.advance(std::chrono::seconds(10));
  auto grant = h.manager.get_access_token<Microsoft<>>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(grant);
  EXPECT_TRUE(grant->refreshed);
  EXPECT_EQ(h.microsoft.requests("token.refresh_token"), 1);
}

TEST(Refresh, ALongTokenIsRefreshedWithinTheLeeway) {
  FlowHarness h;
  auto integration = h.connect<Google>("user-1", {"calendar.readonly"});
  ASSERT_TRUE(integration);
  h.clock.advance(std::chrono::seconds(3600 - 90));
  EXPECT_FALSE(h.manager.get_access_token<Google>("tenant-1", "user-1", integration->id)->refreshed);
  h.clock.advance(std::chrono::seconds(45));
  EXPECT_TRUE(h.manager.get_access_token<Google>("tenant-1", "user-1", integration->id)->refreshed);
}

TEST(Refresh, RetryAfterIsHonoured) {
  FlowHarness h;
  auto integration = h.connect<Notion>();
  ASSERT_TRUE(integration);
  h.notion.fail({.kind = FaultKind::rate_limited, .endpoint = "token", .retry_after_seconds = 1});
  auto const started = std::chrono::steady_clock::now();
  auto grant = h.manager.refresh<Notion>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(grant) << grant.error().message();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(950));
  EXPECT_EQ(h.notion.requests("token"), 3);  // the code exchange, the 429, the refresh
}

TEST(Refresh, ARetryAfterBeyondTheBackoffLimitIsReportedNotWaitedFor) {
  ManagerOptions options;
  options.retry.max_backoff = std::chrono::milliseconds(500);
  FlowHarness h({}, std::move(options));
  auto integration = h.connect<Notion>();
  ASSERT_TRUE(integration);
  h.notion.fail({.kind = FaultKind::rate_limited, .endpoint = "token", .retry_after_seconds = 120});
  auto grant = h.manager.refresh<Notion>("tenant-1", "user-1", integration->id);
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error(), Errc::rate_limited);
  EXPECT_EQ(grant.error().retry_after, std::chrono::seconds(120));
  EXPECT_EQ(h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id)->status,
            IntegrationStatus::active);
}

TEST(Refresh, AProviderThatStallsTimesOutAndIsNotMarked) {
  FlowHarness h;
  auto integration = h.connect<Microsoft<>>();
  ASSERT_TRUE(integration);
  TokenStore<store::MemoryBackend> store(h.store.backend(), h.store.keyring());
  ManagerOptions options;
  options.retry.max_attempts = 2;
  options.retry.initial_backoff = std::chrono::milliseconds(10);
  auto impatient = h.another_manager(store, std::move(options), {.total_timeout = std::chrono::milliseconds(200)});
  h.microsoft.fail({.kind = FaultKind::stall, .stall = std::chrono::milliseconds(1000), .times = 2});
  h.clock.advance(std::chrono::hours(2));
  auto grant = impatient->get_access_token<Microsoft<>>("tenant-1", "user-1", integration->id);
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error(), Errc::timeout);
  EXPECT_EQ(h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id)->status,
            IntegrationStatus::active);
  EXPECT_TRUE(h.reauth_events.empty());
}

TEST(Refresh, TwoProcessesSharingAStoreRefreshOnce) {
  FlowHarness h;
  auto integration = h.connect<Microsoft<>>();
  ASSERT_TRUE(integration);
  // A second manager over the same records: another process, with its own single-flight.
  TokenStore<store::MemoryBackend> other_store(h.store.backend(), h.store.keyring());
  auto other = h.another_manager(other_store);
  h.clock.advance(std::chrono::hours(2));
  std::vector<std::future<Result<AccessGrant>>> calls;
  for (int i = 0; i < 200; ++i) {
    calls.push_back(
        h.manager.async_get_access_token<Microsoft<>>("tenant-1", "user-1", integration->id, boost::asio::use_future));
    calls.push_back(
        other->async_get_access_token<Microsoft<>>("tenant-1", "user-1", integration->id, boost::asio::use_future));
  }
  auto tokens = distinct_tokens(calls);
  ASSERT_TRUE(tokens) << tokens.error().message();
  // Microsoft rotates refresh tokens: a second refresh with the old one would have been
  // invalid_grant and marked the integration.
  EXPECT_EQ(h.microsoft.requests("token.refresh_token"), 1);
  EXPECT_EQ(tokens->size(), 1u);
  EXPECT_EQ(h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id)->status,
            IntegrationStatus::active);
  // The lease was given back, not left to run out.
  EXPECT_TRUE(h.store.backend()
                  .try_acquire_refresh_lease({"tenant-1", "user-1"}, integration->id, "a third process", h.clock(),
                                             h.clock() + std::chrono::seconds(1))
                  .value());
}

TEST(Refresh, TokensUnderARetiredKeyAreReadAndMovedToTheNewKey) {
  FlowHarness h;
  auto integration = h.connect<Google>("user-1", {"calendar.readonly"});
  ASSERT_TRUE(integration);
  auto const original = h.manager.get_access_token<Google>("tenant-1", "user-1", integration->id).value();

  auto const new_key = crypto::Fernet::generate_key().value();
  auto ring = crypto::Keyring::from_list(std::string(new_key.reveal()) + "," + std::string(h.key.reveal()));
  ASSERT_TRUE(ring);
  TokenStore<store::MemoryBackend> rotated(h.store.backend(), std::move(*ring));
  auto manager = h.another_manager(rotated);
  auto grant = manager->get_access_token<Google>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(grant) << grant.error().message();
  EXPECT_EQ(grant->access_token, original.access_token);

  auto record = h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id).value();
  auto new_only = crypto::Keyring::from_list(new_key.reveal()).value();
  EXPECT_TRUE(new_only.decrypt(record.access_token_ciphertext));
  EXPECT_TRUE(new_only.decrypt(record.refresh_token_ciphertext));
  EXPECT_EQ(h.store.keyring().decrypt(record.access_token_ciphertext).error(), Errc::invalid_signature);
}

TEST(Refresh, AWrongKeyIsATypedErrorAndLeavesTheRecordAlone) {
  FlowHarness h;
  auto integration = h.connect<Google>("user-1", {"calendar.readonly"});
  ASSERT_TRUE(integration);
  auto const before = h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id).value();
  TokenStore<store::MemoryBackend> wrong(h.store.backend(), fresh_keyring());
  auto manager = h.another_manager(wrong);
  auto grant = manager->get_access_token<Google>("tenant-1", "user-1", integration->id);
  ASSERT_FALSE(grant);
  EXPECT_EQ(grant.error(), Errc::undecryptable_token);
  EXPECT_NE(grant.error().description.find(integration->id), std::string::npos) << grant.error().description;
  EXPECT_NE(grant.error().description.find("key that is not configured"), std::string::npos);
  auto const after = h.store.backend().find_integration({"tenant-1", "user-1"}, integration->id).value();
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(after.access_token_ciphertext, before.access_token_ciphertext);
}

TEST(Refresh, ARefreshThatCannotReadItsTokensLetsItsLeaseGo) {
  FlowHarness h;
  auto integration = h.connect<Google>("user-1", {"calendar.readonly"});
  ASSERT_TRUE(integration);
  TokenStore<store::MemoryBackend> wrong(h.store.backend(), fresh_keyring());
  auto manager = h.another_manager(wrong);
  auto refreshed = manager->refresh<Google>("tenant-1", "user-1", integration->id);
  ASSERT_FALSE(refreshed);
  EXPECT_EQ(refreshed.error(), Errc::undecryptable_token);
  EXPECT_TRUE(h.store
                  .try_acquire_refresh_lease({"tenant-1", "user-1"}, integration->id, "another-process", Clock::now(),
                                             Clock::now() + std::chrono::minutes(1))
                  .value())
      << "the lease is held though nobody refreshes";
}

}  // namespace
}  // namespace oauth::testing
