// Every operation, tried on one user's integration by another user of the same tenant, the
// same user id in another tenant, and a stranger, on every backend: each attempt is
// refused as if the integration did not exist, audited for the one who tried, and
// changes nothing.

#include "store/store_fixture.hpp"

#include <functional>
#include <utility>

namespace oauth::test {
namespace {

template <class S>
struct Isolation : StoreFixture<S> {};
TYPED_TEST_SUITE(Isolation, AllStores);

TYPED_TEST(Isolation, EveryOperationOnAnotherOwnersIntegrationIsRefusedAndAudited) {
  Owner const ada{"tenant-1", "user-1"};
  auto const record = this->connect(ada);
  auto const before = this->store.credential(ada, record.id).value();
  auto& store = this->store;
  auto const now = this->now;

  using Attempt = std::function<bool(Owner)>;
  auto refused = [](auto const& result) { return !result && result.error() == Errc::integration_not_found; };
  std::vector<std::pair<std::string, Attempt>> const attempts{
      {"find", [&](Owner o) { return refused(store.find(o, record.id)); }},
      {"find what a token needs", [&](Owner o) { return refused(store.find_access(o, record.id)); }},
      {"credential", [&](Owner o) { return refused(store.credential(o, record.id)); }},
      {"credential (access only)", [&](Owner o) { return refused(store.credential(o, record.id, TokenNeed::access)); }},
      {"replace tokens",
       [&](Owner o) {
         auto forged = before;
         forged.record.tenant_id = o.tenant_id;
         forged.record.user_id = o.user_id;
         return refused(store.replace_tokens(forged, this->tokens("stolen", "stolen", now)));
       }},
      {"set status", [&](Owner o) { return refused(store.set_status(o, record.id, IntegrationStatus::disconnected)); }},
      {"record use", [&](Owner o) { return refused(store.record_use(o, record.id, UseKind::used, now)); }},
      {"record validation", [&](Owner o) { return refused(store.record_use(o, record.id, UseKind::validated, now)); }},
      {"disconnect", [&](Owner o) { return refused(store.disconnect(o, record.id, now)); }},
      {"take the refresh lease",
       [&](Owner o) {
         return refused(store.try_acquire_refresh_lease(o, record.id, "intruder", now, now + std::chrono::hours(1)));
       }},
  };

  for (Owner const intruder : {Owner{"tenant-1", "user-2"}, Owner{"tenant-2", "user-1"}, Owner{"tenant-2", "user-2"}}) {
    std::string const who = std::string(intruder.tenant_id) + "/" + std::string(intruder.user_id);
    for (auto const& [operation, attempt] : attempts) {
      SCOPED_TRACE(who + ": " + operation);
      auto const denied_before = this->denials(intruder).size();
      EXPECT_TRUE(attempt(intruder)) << "not refused as integration_not_found";
      auto const denied = this->denials(intruder);
      ASSERT_EQ(denied.size(), denied_before + 1);
      EXPECT_EQ(denied.back().integration_id, record.id);
      EXPECT_FALSE(denied.back().success);
    }
    // What lists a user's records shows the intruder none of Ada's.
    EXPECT_TRUE(store.list(intruder)->empty());
    EXPECT_TRUE(store.consents(intruder)->empty());
    for (auto const& event : store.audit_log(intruder).value()) EXPECT_EQ(event.action, AuditAction::access_denied);
    // Releasing a lease or erasing "their" data touches nothing of Ada's.
    ASSERT_TRUE(store.release_refresh_lease(intruder, record.id, "holder-of-ada"));
    ASSERT_TRUE(store.erase_user(intruder));
  }

  // Ada's integration is as it was, and still hers alone.
  auto const after = this->store.credential(ada, record.id).value();
  EXPECT_EQ(after.record.version, before.record.version);
  EXPECT_EQ(after.record.status, IntegrationStatus::active);
  EXPECT_EQ(after.record.access_token_ciphertext, before.record.access_token_ciphertext);
  EXPECT_EQ(after.record.refresh_token_ciphertext, before.record.refresh_token_ciphertext);
  EXPECT_FALSE(after.record.last_used_at);
  EXPECT_EQ(after.access_token.reveal(), "access-1");
  EXPECT_EQ(this->store.consents(ada)->size(), 1u);
  EXPECT_TRUE(this->denials(ada).empty());
  // No intruder holds her refresh lease.
  EXPECT_TRUE(
      this->store.try_acquire_refresh_lease(ada, record.id, "ada's process", now, now + std::chrono::seconds(30))
          .value());
}

TYPED_TEST(Isolation, KeysThatWouldRunTogetherStayApart) {
  // Tenant "a:b" with user "c" and tenant "a" with user "b:c" are different owners.
  auto const first = this->connect({"a:b", "c"}, "account", "google", "access-first");
  auto const second = this->connect({"a", "b:c"}, "account", "google", "access-second");
  EXPECT_NE(first.id, second.id);
  EXPECT_EQ(this->store.list({"a:b", "c"})->size(), 1u);
  EXPECT_EQ(this->store.list({"a", "b:c"})->size(), 1u);
  EXPECT_EQ(this->store.credential({"a", "b:c"}, first.id).error(), Errc::integration_not_found);
  EXPECT_EQ(this->store.credential({"a:b", "c"}, first.id)->access_token.reveal(), "access-first");
  ASSERT_TRUE(this->store.erase_user({"a", "b:c"}));
  EXPECT_EQ(this->store.list({"a:b", "c"})->size(), 1u);
}

}  // namespace
}  // namespace oauth::test
