// A user's data: everything held for them exported without a secret, and erased after
// their grants are revoked at the providers.

#include "support/flow_harness.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace oauth::testing {
namespace {

using providers::Google;
using providers::Notion;
using MicrosoftCommon = providers::Microsoft<>;

struct UserData : ::testing::Test {
  FlowHarness h;
  std::vector<std::string> secrets;  ///< every token handed out, to look for where it must not be

  void connect_everything() {
    for (auto const& integration : {h.connect<Google>("user-1", {"calendar.readonly"}), h.connect<Notion>("user-1"),
                                    h.connect<MicrosoftCommon>("user-1")}) {
      ASSERT_TRUE(integration) << integration.error().message();
    }
    ASSERT_TRUE(h.connect<Google>("user-2", {"calendar.readonly"}));
    for (auto const& integration : h.manager.integrations("tenant-1", "user-1").value()) {
      auto grant = h.manager.visit_provider(integration.provider, [&](auto type) {
        using P = typename decltype(type)::type;
        auto token = h.manager.template get_access_token<P>("tenant-1", "user-1", integration.id);
        ASSERT_TRUE(token) << token.error().message();
        secrets.emplace_back(token->access_token.reveal());
      });
      ASSERT_TRUE(grant);
    }
  }
};

TEST_F(UserData, TheExportHoldsIntegrationsConsentsAndAuditButNoSecret) {
  connect_everything();
  auto exported = h.manager.export_user_data("tenant-1", "user-1");
  ASSERT_TRUE(exported) << exported.error().message();
  auto const& json = *exported;
  EXPECT_EQ(json.at("user_id").as_string(), "user-1");
  auto const& integrations = json.at("integrations").as_array();
  ASSERT_EQ(integrations.size(), 3u);
  std::set<std::string> providers;
  for (auto const& integration : integrations) {
    providers.insert(std::string(integration.at("provider").as_string()));
    EXPECT_EQ(integration.at("status").as_string(), "active");
    EXPECT_TRUE(integration.as_object().contains("identity"));
    EXPECT_FALSE(integration.as_object().contains("access_token"));
  }
  EXPECT_EQ(providers, (std::set<std::string>{"google", "microsoft", "notion"}));
  EXPECT_EQ(json.at("consents").as_array().size(), 3u);
  auto const& consent = json.at("consents").as_array().front();
  EXPECT_EQ(consent.at("client_ip").as_string(), "203.0.113.7");
  EXPECT_FALSE(json.at("audit").as_array().empty());

  auto const text = boost::json::serialize(json);
  for (auto const& secret : secrets) EXPECT_EQ(text.find(secret), std::string::npos);
  EXPECT_EQ(text.find("gAAAAA"), std::string::npos) << "a Fernet ciphertext in the export";
  EXPECT_EQ(text.find("user-2"), std::string::npos) << "another user's data in the export";
}

TEST_F(UserData, ErasingRevokesAtTheProvidersThenDeletesEverythingAndLeavesOneAuditEntry) {
  connect_everything();
  auto erased = h.manager.erase_user("tenant-1", "user-1");
  ASSERT_TRUE(erased) << erased.error().message();
  EXPECT_EQ(erased->integrations, 3u);
  EXPECT_EQ(erased->revoked_at_provider, 2u);  // Google and Notion revoke; Microsoft disconnects locally
  EXPECT_TRUE(erased->revocation_failures.empty());
  EXPECT_EQ(h.google.requests("revoke"), 1);
  EXPECT_EQ(h.notion.requests("revoke"), 1);
  for (auto const& secret : secrets) {
    EXPECT_FALSE(h.google.token_active(secret));
    EXPECT_FALSE(h.notion.token_active(secret));
  }

  EXPECT_TRUE(h.manager.integrations("tenant-1", "user-1")->empty());
  EXPECT_TRUE(h.manager.consents("tenant-1", "user-1")->empty());
  auto log = h.manager.audit_log("tenant-1", "user-1").value();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log.front().action, AuditAction::erase);
  // Another user's data is untouched.
  EXPECT_EQ(h.manager.integrations("tenant-1", "user-2")->size(), 1u);
  EXPECT_EQ(h.manager.consents("tenant-1", "user-2")->size(), 1u);
}

TEST_F(UserData, AProviderThatCannotRevokeDoesNotStopTheErasureAndIsReported) {
  connect_everything();
  h.google.fail({.kind = FaultKind::server_error, .endpoint = "revoke", .times = 10});
  auto erased = h.manager.erase_user("tenant-1", "user-1");
  ASSERT_TRUE(erased) << erased.error().message();
  ASSERT_EQ(erased->revocation_failures.size(), 1u);
  auto const google = h.store.list({"tenant-1", "user-1"});
  EXPECT_TRUE(google->empty());
  EXPECT_EQ(erased->revocation_failures.front().second, Errc::provider_unavailable);
  EXPECT_EQ(erased->revoked_at_provider, 1u);
}

TEST(Consent, RecordsTheWordingShownAndExpiresWhenTheApplicationSaysSo) {
  ManagerOptions options;
  options.consent_version = "2026-11 terms";
  options.consent_lifetime = std::chrono::hours(24 * 365);
  FlowHarness h({}, options);
  auto integration = h.connect<Google>("user-1", {"calendar.readonly"});
  ASSERT_TRUE(integration) << integration.error().message();
  auto consents = h.manager.consents("tenant-1", "user-1").value();
  ASSERT_EQ(consents.size(), 1u);
  EXPECT_EQ(consents[0].consent_version, "2026-11 terms");
  ASSERT_TRUE(consents[0].expires_at);
  EXPECT_EQ(*consents[0].expires_at - consents[0].granted_at, std::chrono::hours(24 * 365));
}

}  // namespace
}  // namespace oauth::testing
