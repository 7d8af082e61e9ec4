#include <oauth/detail/store/packed_records.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using oauth::ConsentRecord;
using oauth::IntegrationRecord;
using oauth::IntegrationStatus;
using oauth::TimePoint;
using oauth::detail::store::PackedConsent;
using oauth::detail::store::PackedIntegration;

TimePoint at(long long seconds) { return TimePoint(std::chrono::seconds(seconds)); }

/// A record with every field set, strings of one-, two- and three-byte lengths among them.
IntegrationRecord everything() {
  IntegrationRecord r;
  r.id = "id-1";
  r.tenant_id = "tenant";
  r.user_id = "user";
  r.provider = "notion";
  r.account_id = "account";
  r.status = IntegrationStatus::needs_reauth;
  r.access_token_ciphertext = std::string(300, 'a');
  r.refresh_token_ciphertext = std::string(20'000, 'r');
  r.token_type = "bearer";
  r.key_id = "key";
  r.expires_at = at(-5);
  r.token_issued_at = at(1'700'000'000);
  r.scopes = {"one", "", std::string(130, 's')};
  r.identity.account_id = "sub";
  r.identity.email = "";
  r.identity.email_verified = false;
  r.identity.name = "Ada";
  r.identity.workspace = oauth::Workspace{"ws", "Notes", std::nullopt, "bot", true, "{}", std::nullopt, "req"};
  r.version = 7;
  r.created_at = at(1);
  r.updated_at = at(2);
  r.last_used_at = at(3);
  r.last_validated_at = at(4);
  return r;
}

bool same(IntegrationRecord const& a, IntegrationRecord const& b) {
  return a.id == b.id && a.tenant_id == b.tenant_id && a.user_id == b.user_id && a.provider == b.provider &&
         a.account_id == b.account_id && a.status == b.status &&
         a.access_token_ciphertext == b.access_token_ciphertext &&
         a.refresh_token_ciphertext == b.refresh_token_ciphertext && a.token_type == b.token_type &&
         a.key_id == b.key_id && a.expires_at == b.expires_at && a.token_issued_at == b.token_issued_at &&
         a.scopes == b.scopes && a.identity == b.identity && a.version == b.version && a.created_at == b.created_at &&
         a.updated_at == b.updated_at && a.last_used_at == b.last_used_at && a.last_validated_at == b.last_validated_at;
}

TEST(PackedIntegration, EveryFieldComesBackAsItWent) {
  auto const r = everything();
  PackedIntegration const packed(r);
  EXPECT_TRUE(same(packed.unpack(), r));
  EXPECT_EQ(packed.id(), "id-1");
  EXPECT_TRUE(packed.owned_by({"tenant", "user"}));
  EXPECT_FALSE(packed.owned_by({"tenant", "other"}));
  EXPECT_FALSE(packed.owned_by({"tenan", "tuser"}));
  auto const [tenant, user, provider, account] = packed.account();
  EXPECT_EQ(provider, "notion");
  EXPECT_EQ(account, "account");
}

TEST(PackedIntegration, AbsentAndEmptyStayApart) {
  IntegrationRecord r;
  r.id = "id";
  r.identity.email = std::nullopt;
  r.identity.name = "";
  PackedIntegration const packed(r);
  auto const back = packed.unpack();
  EXPECT_TRUE(same(back, r));
  EXPECT_FALSE(back.identity.email);
  EXPECT_FALSE(back.identity.email_verified);
  EXPECT_FALSE(back.identity.workspace);
  EXPECT_EQ(back.identity.name, "");
  EXPECT_FALSE(back.expires_at);
  EXPECT_FALSE(back.last_used_at);
}

TEST(PackedIntegration, AccessReadsWhatATokenNeeds) {
  auto const r = everything();
  auto const access = PackedIntegration(r).access({"tenant", "user"}, "id-1");
  EXPECT_EQ(access.id, "id-1");
  EXPECT_EQ(access.provider, "notion");
  EXPECT_EQ(access.status, IntegrationStatus::needs_reauth);
  EXPECT_EQ(access.version, 7u);
  EXPECT_EQ(access.access_token_ciphertext, r.access_token_ciphertext);
  EXPECT_EQ(access.key_id, "key");
  EXPECT_EQ(access.expires_at, r.expires_at);
  EXPECT_EQ(access.token_issued_at, r.token_issued_at);
  EXPECT_EQ(access.scopes, r.scopes);
  EXPECT_EQ(access.last_used_at, r.last_used_at);
}

TEST(PackedIntegration, ChangesInPlaceTouchOnlyTheirFields) {
  IntegrationRecord r = everything();
  r.last_used_at.reset();
  PackedIntegration packed(r);
  packed.set_used(oauth::UseKind::used, at(10));
  packed.set_status(IntegrationStatus::active, at(11));
  r.last_used_at = at(10);
  r.status = IntegrationStatus::active;
  r.updated_at = at(11);
  r.version = 8;
  EXPECT_TRUE(same(packed.unpack(), r));
  packed.set_used(oauth::UseKind::validated, at(12));
  EXPECT_EQ(packed.last_validated_at(), at(12));
  EXPECT_EQ(packed.last_used_at(), at(10));
}

TEST(PackedConsent, EveryFieldComesBackAsItWent) {
  ConsentRecord c{"id-1", "tenant", "user", "google", {"a", "b"}, at(5), std::nullopt, "::1", "agent", "v2"};
  PackedConsent const packed(c);
  auto back = packed.unpack();
  EXPECT_EQ(back.integration_id, "id-1");
  EXPECT_EQ(back.scopes, c.scopes);
  EXPECT_EQ(back.granted_at, at(5));
  EXPECT_FALSE(back.expires_at);
  EXPECT_EQ(back.client_ip, "::1");
  EXPECT_EQ(back.user_agent, "agent");
  EXPECT_EQ(back.consent_version, "v2");
  EXPECT_TRUE(packed.owned_by({"tenant", "user"}));
  c.expires_at = at(0);
  EXPECT_EQ(PackedConsent(c).unpack().expires_at, at(0));
}

}  // namespace
