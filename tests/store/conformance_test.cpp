// What every token store backend must do, run over each of them.

#include "store/store_fixture.hpp"

#include <oauth/providers/notion.hpp>
#include <oauth/store/scope_records.hpp>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <set>
#include <thread>

namespace oauth::test {
namespace {

template <class S>
struct Conformance : StoreFixture<S> {
  /// An authorization in progress: Google's, for tenant-1/user-1 in session-1, ten minutes to live.
  FlowState flow_state(std::string state) const {
    FlowState flow;
    flow.state = std::move(state);
    flow.provider = "google";
    flow.tenant_id = "tenant-1";
    flow.user_id = "user-1";
    flow.session_id = "session-1";
    flow.created_at = this->now;
    flow.expires_at = this->now + std::chrono::minutes(10);
    return flow;
  }
};
TYPED_TEST_SUITE(Conformance, AllStores);

TYPED_TEST(Conformance, EveryFieldComesBackAsStoredAndTokensOnlyEncrypted) {
  auto record = this->connect();
  EXPECT_EQ(record.access_token_ciphertext.find("access-1"), std::string::npos);
  EXPECT_EQ(record.refresh_token_ciphertext.find("refresh-1"), std::string::npos);
  EXPECT_EQ(record.key_id, this->keyring.key_id());
  EXPECT_EQ(record.version, 1u);

  auto read = this->store.find({"tenant-1", "user-1"}, record.id).value();
  EXPECT_EQ(read.provider, "google");
  EXPECT_EQ(read.account_id, "account-1");
  EXPECT_EQ(read.status, IntegrationStatus::active);
  EXPECT_EQ(read.scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(read.identity.account_id, "subject-account-1");
  EXPECT_EQ(read.identity.email, "ada@example.com");
  EXPECT_EQ(read.identity.email_verified, true);
  EXPECT_EQ(read.identity.name, "Ada");
  EXPECT_FALSE(read.identity.picture);
  EXPECT_FALSE(read.identity.workspace);
  EXPECT_EQ(read.token_type, "Bearer");
  EXPECT_EQ(read.expires_at, this->now + std::chrono::hours(1));
  EXPECT_EQ(read.token_issued_at, this->now);
  EXPECT_EQ(read.created_at, this->now);
  EXPECT_FALSE(read.last_used_at);
  EXPECT_EQ(read.access_token_ciphertext, record.access_token_ciphertext);

  auto credential = this->store.credential({"tenant-1", "user-1"}, record.id).value();
  EXPECT_EQ(credential.access_token.reveal(), "access-1");
  EXPECT_EQ(credential.refresh_token->reveal(), "refresh-1");

  auto consents = this->store.consents({"tenant-1", "user-1"}).value();
  ASSERT_EQ(consents.size(), 1u);
  EXPECT_EQ(consents[0].integration_id, record.id);
  EXPECT_EQ(consents[0].scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(consents[0].granted_at, this->now);
  EXPECT_FALSE(consents[0].expires_at);
  EXPECT_EQ(consents[0].client_ip, "192.0.2.1");
  EXPECT_EQ(consents[0].user_agent, "test-agent");
  EXPECT_EQ(consents[0].consent_version, "2");
}

TYPED_TEST(Conformance, WhatATokenNeedsIsReadAloneAndMatchesTheWholeRecord) {
  auto record = this->connect();
  ASSERT_TRUE(this->store.record_use({"tenant-1", "user-1"}, record.id, UseKind::used, this->now));
  auto const whole = this->store.find({"tenant-1", "user-1"}, record.id).value();
  auto access = this->store.find_access({"tenant-1", "user-1"}, record.id);
  ASSERT_TRUE(access) << access.error().message();
  EXPECT_EQ(access->id, whole.id);
  EXPECT_EQ(access->tenant_id, whole.tenant_id);
  EXPECT_EQ(access->user_id, whole.user_id);
  EXPECT_EQ(access->provider, whole.provider);
  EXPECT_EQ(access->status, whole.status);
  EXPECT_EQ(access->version, whole.version);
  EXPECT_EQ(access->access_token_ciphertext, whole.access_token_ciphertext);
  EXPECT_EQ(access->key_id, whole.key_id);
  EXPECT_EQ(access->expires_at, whole.expires_at);
  EXPECT_EQ(access->token_issued_at, whole.token_issued_at);
  EXPECT_EQ(access->scopes, whole.scopes);
  EXPECT_EQ(access->last_used_at, this->now);
  EXPECT_EQ(this->store.access_token(*access)->reveal(), "access-1");
  // Disconnected: nothing to hand out.
  ASSERT_TRUE(this->store.disconnect({"tenant-1", "user-1"}, record.id, this->now));
  auto gone = this->store.find_access({"tenant-1", "user-1"}, record.id).value();
  EXPECT_FALSE(gone.has_tokens());
  EXPECT_EQ(this->store.access_token(gone).error(), Errc::integration_not_found);
}

TYPED_TEST(Conformance, NotionsWorkspaceGrantKeepsEveryField) {
  auto parsed = providers::Notion::map_user_info(boost::json::parse(R"({
      "bot_id": "bot-1", "workspace_id": "ws-1", "workspace_name": "Ada's Notes", "workspace_icon": "📝",
      "duplicated_template_id": "tpl-1", "request_id": "req-1",
      "owner": {"type": "user", "user": {"object": "user", "id": "user-9", "name": "Ada"}}})")
                                                     .as_object());
  ASSERT_TRUE(parsed);
  IntegrationRecord record;
  record.tenant_id = "tenant-1";
  record.user_id = "user-1";
  record.provider = "notion";
  record.account_id = parsed->workspace->id;
  record.identity = *parsed;
  record.created_at = record.updated_at = this->now;
  IssuedTokens tokens{AccessToken("secret_notion"), std::nullopt, std::nullopt, this->now, {}};
  auto saved = this->store.save_connection(record, tokens, {.tenant_id = "tenant-1", .user_id = "user-1"}).value();
  auto read = this->store.find({"tenant-1", "user-1"}, saved.id).value();
  EXPECT_EQ(read.identity, *parsed);
  EXPECT_FALSE(read.expires_at);
  EXPECT_TRUE(read.refresh_token_ciphertext.empty());
  EXPECT_TRUE(read.scopes.empty());
  auto credential = this->store.credential({"tenant-1", "user-1"}, saved.id).value();
  EXPECT_FALSE(credential.refresh_token);
}

TYPED_TEST(Conformance, ConnectingTheSameAccountAgainUpdatesOneIntegration) {
  auto first = this->connect();
  auto second = this->connect({"tenant-1", "user-1"}, "account-1", "google", "access-2", "refresh-2");
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.version, first.version + 1);
  EXPECT_EQ(second.created_at, first.created_at);
  auto other = this->connect({"tenant-1", "user-1"}, "account-2");
  EXPECT_NE(other.id, first.id);
  auto list = this->store.list({"tenant-1", "user-1"}).value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(this->store.credential({"tenant-1", "user-1"}, first.id)->access_token.reveal(), "access-2");
  EXPECT_EQ(this->store.consents({"tenant-1", "user-1"})->size(), 3u);
}

TYPED_TEST(Conformance, AnAccessOnlyReadLeavesTheRefreshTokenSealedAndAReplaceKeepsIt) {
  auto record = this->connect();
  auto access_only = this->store.credential({"tenant-1", "user-1"}, record.id, TokenNeed::access).value();
  EXPECT_FALSE(access_only.refresh_token);
  auto replaced = this->store.replace_tokens(access_only, this->tokens("access-2", "", this->now));
  ASSERT_TRUE(replaced) << replaced.error().message();
  auto reread = this->store.credential({"tenant-1", "user-1"}, record.id).value();
  EXPECT_EQ(reread.access_token.reveal(), "access-2");
  ASSERT_TRUE(reread.refresh_token);
  EXPECT_EQ(reread.refresh_token->reveal(), "refresh-1");
}

TYPED_TEST(Conformance, ARotatedRefreshTokenReplacesTheOldOneInOneWrite) {
  auto record = this->connect();
  auto credential = this->store.credential({"tenant-1", "user-1"}, record.id).value();
  auto replaced = this->store.replace_tokens(credential, this->tokens("access-2", "refresh-2", this->now, {"read"}));
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->record.version, record.version + 1);
  auto reread = this->store.credential({"tenant-1", "user-1"}, record.id).value();
  EXPECT_EQ(reread.access_token.reveal(), "access-2");
  EXPECT_EQ(reread.refresh_token->reveal(), "refresh-2");
  EXPECT_EQ(reread.record.scopes, (std::vector<std::string>{"read"}));
  EXPECT_EQ(reread.record.version, replaced->record.version);
}

TYPED_TEST(Conformance, AReplaceOverAStaleVersionIsAConflictAndChangesNothing) {
  auto record = this->connect();
  auto stale = this->store.credential({"tenant-1", "user-1"}, record.id).value();
  ASSERT_TRUE(this->store.replace_tokens(stale, this->tokens("access-2", "refresh-2", this->now)));
  auto again = this->store.replace_tokens(stale, this->tokens("access-3", "refresh-3", this->now));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), Errc::store_conflict);
  auto reread = this->store.credential({"tenant-1", "user-1"}, record.id).value();
  EXPECT_EQ(reread.access_token.reveal(), "access-2");
  EXPECT_EQ(reread.refresh_token->reveal(), "refresh-2");
}

TYPED_TEST(Conformance, OfManyConcurrentWritersFromOneVersionExactlyOneWins) {
  auto record = this->connect();
  auto const from = this->store.credential({"tenant-1", "user-1"}, record.id).value();
  constexpr int writers = 8;
  std::atomic<int> won{0}, conflicted{0};
  std::barrier start(writers);
  std::vector<std::thread> threads;
  for (int i = 0; i < writers; ++i) {
    threads.emplace_back([&, i] {
      auto store = this->another_store();
      start.arrive_and_wait();
      auto result = store.replace_tokens(
          from, this->tokens("access-w" + std::to_string(i), "refresh-w" + std::to_string(i), this->now));
      if (result)
        ++won;
      else if (result.error() == Errc::store_conflict)
        ++conflicted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicted.load(), writers - 1);
  // The pair stored is one writer's, whole.
  auto stored = this->store.credential({"tenant-1", "user-1"}, record.id).value();
  auto const suffix = std::string(stored.access_token.reveal()).substr(std::string("access-").size());
  EXPECT_EQ(stored.refresh_token->reveal(), "refresh-" + suffix);
}

TYPED_TEST(Conformance, DisconnectDeletesTokensConsentsAndLeaseTogether) {
  auto record = this->connect();
  auto kept = this->connect({"tenant-1", "user-1"}, "account-2");
  ASSERT_TRUE(this->store
                  .try_acquire_refresh_lease({"tenant-1", "user-1"}, record.id, "holder-a", this->now,
                                             this->now + std::chrono::seconds(30))
                  .value());
  auto gone = this->store.disconnect({"tenant-1", "user-1"}, record.id, this->now);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, IntegrationStatus::disconnected);
  EXPECT_FALSE(gone->has_tokens());
  EXPECT_GT(gone->version, record.version);
  EXPECT_EQ(this->store.credential({"tenant-1", "user-1"}, record.id).error(), Errc::integration_not_found);
  auto consents = this->store.consents({"tenant-1", "user-1"}).value();
  ASSERT_EQ(consents.size(), 1u);
  EXPECT_EQ(consents.front().integration_id, kept.id);
  // A refresh that read the record before the disconnect cannot bring its tokens back.
  Credential before{record, AccessToken("access-1"), RefreshToken("refresh-1")};
  EXPECT_EQ(this->store.replace_tokens(before, this->tokens("x", "y", this->now)).error(), Errc::store_conflict);
}

TYPED_TEST(Conformance, StatusChangesAndUseTimesAreKept) {
  auto record = this->connect();
  auto marked = this->store.set_status({"tenant-1", "user-1"}, record.id, IntegrationStatus::needs_reauth);
  ASSERT_TRUE(marked);
  EXPECT_EQ(marked->status, IntegrationStatus::needs_reauth);
  EXPECT_EQ(marked->version, record.version + 1);
  auto const used = this->now + std::chrono::minutes(5);
  auto const validated = this->now + std::chrono::minutes(7);
  ASSERT_TRUE(this->store.record_use({"tenant-1", "user-1"}, record.id, UseKind::used, used));
  ASSERT_TRUE(this->store.record_use({"tenant-1", "user-1"}, record.id, UseKind::validated, validated));
  auto read = this->store.find({"tenant-1", "user-1"}, record.id).value();
  EXPECT_EQ(read.status, IntegrationStatus::needs_reauth);
  EXPECT_EQ(read.last_used_at, used);
  EXPECT_EQ(read.last_validated_at, validated);
  // Recording use is no write of the tokens: a refresh that read before it still lands.
  EXPECT_EQ(read.version, marked->version);
}

TYPED_TEST(Conformance, StatesAreSingleUseAndExpire) {
  auto flow = this->flow_state("s1");
  flow.scopes = {"openid", "email"};
  flow.code_verifier = CodeVerifier("verifier-1");
  flow.redirect_uri = "https://app.example/cb";
  ASSERT_TRUE(this->store.put_state(flow));
  EXPECT_EQ(this->store.put_state(flow).error(), Errc::store_conflict);
  auto taken = this->store.take_state("s1", "session-1", this->now);
  ASSERT_TRUE(taken) << taken.error().message();
  EXPECT_EQ(taken->code_verifier->reveal(), "verifier-1");
  EXPECT_EQ(taken->scopes, flow.scopes);
  EXPECT_EQ(taken->session_id, "session-1");
  EXPECT_EQ(taken->redirect_uri, flow.redirect_uri);
  EXPECT_EQ(taken->expires_at, flow.expires_at);
  EXPECT_EQ(this->store.take_state("s1", "session-1", this->now).error(), Errc::state_already_used);
  EXPECT_EQ(this->store.take_state("never", "session-1", this->now).error(), Errc::state_not_found);
  flow.state = "s2";
  ASSERT_TRUE(this->store.put_state(flow));
  EXPECT_EQ(this->store.take_state("s2", "session-1", this->now + std::chrono::minutes(11)).error(),
            Errc::state_expired);
  EXPECT_EQ(this->store.take_state("s2", "session-1", this->now + std::chrono::minutes(12)).error(),
            Errc::state_already_used);
  // An hour past its expiry a state is forgotten, used or not.
  flow.state = "s3";
  ASSERT_TRUE(this->store.put_state(flow));
  EXPECT_EQ(this->store.take_state("s3", "session-1", this->now + std::chrono::minutes(71)).error(),
            Errc::state_not_found);
  EXPECT_EQ(this->store.take_state("s1", "session-1", this->now + std::chrono::minutes(71)).error(),
            Errc::state_not_found);
}

TYPED_TEST(Conformance, AStateIsTakenOnlyByItsOwnSessionAndAnotherLeavesItUnused) {
  auto const flow = this->flow_state("bound");
  ASSERT_TRUE(this->store.put_state(flow));
  for (auto other : {"session-2", "", "session-1 ", "SESSION-1"})
    EXPECT_EQ(this->store.take_state("bound", other, this->now).error(), Errc::state_mismatch) << other;
  auto taken = this->store.take_state("bound", "session-1", this->now);
  ASSERT_TRUE(taken) << taken.error().message();
  EXPECT_EQ(this->store.take_state("bound", "session-1", this->now).error(), Errc::state_already_used);
  EXPECT_EQ(this->store.take_state("bound", "session-2", this->now).error(), Errc::state_already_used);
}

TYPED_TEST(Conformance, TwoCallbacksRacingWithOneStateOneWins) {
  for (int round = 0; round < 20; ++round) {
    auto const flow = this->flow_state("race-" + std::to_string(round));
    ASSERT_TRUE(this->store.put_state(flow));
    constexpr int callbacks = 4;
    std::atomic<int> won{0}, replayed{0};
    std::barrier start(callbacks);
    std::vector<std::thread> threads;
    for (int i = 0; i < callbacks; ++i) {
      threads.emplace_back([&] {
        auto instance = this->another_store();  // each callback lands on an instance of its own
        start.arrive_and_wait();
        auto taken = instance.take_state(flow.state, "session-1", this->now);
        if (taken)
          ++won;
        else if (taken.error() == Errc::state_already_used)
          ++replayed;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 1) << "round " << round;
    EXPECT_EQ(replayed.load(), callbacks - 1) << "round " << round;
  }
}

TYPED_TEST(Conformance, TheRefreshLeaseIsExclusiveUntilReleasedOrExpired) {
  auto record = this->connect();
  Owner const owner{"tenant-1", "user-1"};
  auto const until = this->now + std::chrono::seconds(30);
  auto& s = this->store;
  EXPECT_TRUE(s.try_acquire_refresh_lease(owner, record.id, "a", this->now, until).value());
  EXPECT_TRUE(s.try_acquire_refresh_lease(owner, record.id, "a", this->now, until).value());  // renewal
  EXPECT_FALSE(s.try_acquire_refresh_lease(owner, record.id, "b", this->now, until).value());
  auto const later = until + std::chrono::seconds(1);
  EXPECT_TRUE(s.try_acquire_refresh_lease(owner, record.id, "b", later, later + std::chrono::seconds(30)).value());
  ASSERT_TRUE(s.release_refresh_lease(owner, record.id, "a"));  // not a's any more: no effect
  EXPECT_FALSE(s.try_acquire_refresh_lease(owner, record.id, "a", later, later).value());
  ASSERT_TRUE(s.release_refresh_lease(owner, record.id, "b"));
  EXPECT_TRUE(s.try_acquire_refresh_lease(owner, record.id, "a", later, later).value());
}

TYPED_TEST(Conformance, AStalledLeaseHolderCannotOverwriteANewerToken) {
  auto record = this->connect();
  Owner const owner{"tenant-1", "user-1"};
  auto const lease = std::chrono::seconds(30);
  // A takes the lease and reads, then stalls past the lease's end.
  ASSERT_TRUE(this->store.try_acquire_refresh_lease(owner, record.id, "a", this->now, this->now + lease).value());
  auto const read_by_a = this->store.credential(owner, record.id).value();
  // B takes over, refreshes and stores a rotated pair.
  auto const later = this->now + lease + std::chrono::seconds(1);
  auto b = this->another_store();
  ASSERT_TRUE(b.try_acquire_refresh_lease(owner, record.id, "b", later, later + lease).value());
  ASSERT_TRUE(b.replace_tokens(b.credential(owner, record.id).value(), this->tokens("access-b", "refresh-b", later)));
  // A wakes up: its write is fenced off by the version it read.
  auto late = this->store.replace_tokens(read_by_a, this->tokens("access-a", "refresh-a", later));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), Errc::store_conflict);
  auto stored = this->store.credential(owner, record.id).value();
  EXPECT_EQ(stored.refresh_token->reveal(), "refresh-b");
}

TYPED_TEST(Conformance, TheAuditLogKeepsEveryFieldInOrder) {
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(this->store.audit({.at = this->now + std::chrono::seconds(i),
                                   .tenant_id = "tenant-1",
                                   .user_id = "user-1",
                                   .provider = "notion",
                                   .integration_id = "int-1",
                                   .action = i == 1 ? AuditAction::refresh : AuditAction::connect,
                                   .success = i != 2,
                                   .reason = i == 2 ? "invalid_grant" : "",
                                   .scopes = {"read"},
                                   .client_ip = "198.51.100.7",
                                   .user_agent = "agent/1"}));
  auto log = this->store.audit_log({"tenant-1", "user-1"}).value();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].at, this->now);
  EXPECT_EQ(log[1].action, AuditAction::refresh);
  EXPECT_EQ(log[2].success, false);
  EXPECT_EQ(log[2].reason, "invalid_grant");
  EXPECT_EQ(log[2].scopes, (std::vector<std::string>{"read"}));
  EXPECT_EQ(log[2].client_ip, "198.51.100.7");
  EXPECT_EQ(log[2].user_agent, "agent/1");
  EXPECT_EQ(log[2].provider, "notion");
  EXPECT_EQ(log[2].integration_id, "int-1");
}

// GET /audit had no LIMIT: it read the whole log to show a hundred rows. A page is read
// by the store, newest first, and the next one from where it ended.
TYPED_TEST(Conformance, TheAuditLogIsReadAPageAtATimeNewestFirst) {
  auto reason = [](int i) { return "event-" + std::to_string(i); };
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(
        this->store.audit({.at = this->now, .tenant_id = "tenant-1", .user_id = "user-1", .reason = reason(i)}));
    // Another owner's rows, in between, are never on this owner's pages.
    ASSERT_TRUE(this->store.audit({.at = this->now, .tenant_id = "tenant-1", .user_id = "user-2", .reason = "other"}));
  }
  Owner const owner{"tenant-1", "user-1"};
  std::vector<std::string> read;
  std::vector<std::size_t> sizes;
  AuditQuery query{.limit = 3};
  for (int pages = 0; pages < 10; ++pages) {
    auto page = this->store.audit_page(owner, query);
    ASSERT_TRUE(page) << page.error().message();
    sizes.push_back(page->events.size());
    for (auto const& event : page->events) read.push_back(event.reason);
    if (!page->next) break;
    query.before = page->next;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 1}));
  EXPECT_EQ(read,
            (std::vector<std::string>{reason(6), reason(5), reason(4), reason(3), reason(2), reason(1), reason(0)}));

  // A page that ends exactly at the oldest entry says there is no more.
  auto whole = this->store.audit_page(owner, {.limit = 7}).value();
  EXPECT_EQ(whole.events.size(), 7u);
  EXPECT_FALSE(whole.next);
  EXPECT_TRUE(this->store.audit_page({"tenant-9", "nobody"}, {}).value().events.empty());
  for (std::size_t limit : {std::size_t{0}, TokenStore<typename TestFixture::Backend>::max_audit_page + 1}) {
    auto refused = this->store.audit_page(owner, {.limit = limit});
    ASSERT_FALSE(refused) << limit;
    EXPECT_EQ(refused.error(), Errc::invalid_argument);
  }
}

// Found probing the service: refusals of callers nobody knows (sampled, one a second at
// most) still made a log that grew for as long as someone kept sending them.
TYPED_TEST(Conformance, TheAuditLogThatNamesNobodyKeepsOnlyItsNewestRows) {
  this->store.set_unattributed_audit({.keep = 5, .trim_every = 2});
  ASSERT_TRUE(this->store.audit({.at = this->now, .tenant_id = "tenant-1", .user_id = "user-1", .reason = "mine"}));
  for (int i = 0; i < 12; ++i)
    ASSERT_TRUE(
        this->store.audit({.at = this->now, .action = AuditAction::access_denied, .reason = std::to_string(i)}));
  auto const kept = this->store.audit_log({"", ""}).value();
  ASSERT_GE(kept.size(), 5u);
  ASSERT_LE(kept.size(), 6u);  // what was written since the last trim
  EXPECT_EQ(kept.back().reason, "11");
  EXPECT_EQ(kept.front().reason, std::to_string(12 - kept.size()));
  // The backend's own trim, to the count and no further; an owner's log is untouched by it.
  ASSERT_TRUE(this->store.backend().keep_newest_audit({"", ""}, 2));
  auto const two = this->store.audit_log({"", ""}).value();
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].reason, "10");
  EXPECT_EQ(two[1].reason, "11");
  ASSERT_TRUE(this->store.backend().keep_newest_audit({"", ""}, 0));
  EXPECT_TRUE(this->store.audit_log({"", ""}).value().empty());
  ASSERT_EQ(this->store.audit_log({"tenant-1", "user-1"}).value().size(), 1u);
}

TYPED_TEST(Conformance, TheScopeCatalogueIsReplacedPerProvider) {
  ASSERT_TRUE(this->store.save_scope_catalogue("notion", scope_records<providers::Notion>()));
  ASSERT_TRUE(this->store.save_scope_catalogue("other", {{"other", "a", "A", "read", "", true, false}}));
  ASSERT_TRUE(this->store.save_scope_catalogue("other", {{"other", "b", "B", "admin", "set", false, true}}));
  auto other = this->store.scope_catalogue("other").value();
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0], (ScopeRecord{"other", "b", "B", "admin", "set", false, true}));
  EXPECT_EQ(this->store.scope_catalogue("notion")->size(), providers::Notion::scopes.size());
  EXPECT_TRUE(this->store.scope_catalogue("nobody")->empty());
}

TYPED_TEST(Conformance, InstancesStartingTogetherWriteTheCatalogueWithoutConflict) {
  constexpr int instances = 6;
  std::barrier start(instances);
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < instances; ++i) {
    threads.emplace_back([&] {
      auto instance = this->another_store();
      start.arrive_and_wait();
      if (!instance.save_scope_catalogue("notion", scope_records<providers::Notion>())) ++failed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(this->store.scope_catalogue("notion")->size(), providers::Notion::scopes.size());
}

TYPED_TEST(Conformance, ScanPagesThroughEveryIntegrationOnce) {
  std::set<std::string> made;
  for (int i = 0; i < 25; ++i)
    made.insert(this->connect({"tenant-" + std::to_string(i % 3), "user-" + std::to_string(i % 5)},
                              "account-" + std::to_string(i))
                    .id);
  std::set<std::string> seen;
  std::string after;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = this->store.backend().scan_integrations(after, 7).value();
    if (page.empty()) break;
    EXPECT_LE(page.size(), 7u);
    for (auto const& record : page) EXPECT_TRUE(seen.insert(record.id).second);
    after = page.back().id;
  }
  EXPECT_EQ(seen, made);
}

TYPED_TEST(Conformance, SettingsAreKeptAndOverwritten) {
  auto& backend = this->store.backend();
  EXPECT_FALSE(backend.setting("rotation").value());
  ASSERT_TRUE(backend.put_setting("rotation", "a"));
  ASSERT_TRUE(backend.put_setting("rotation", "b"));
  EXPECT_EQ(backend.setting("rotation").value(), "b");
}

TYPED_TEST(Conformance, ErasingAUserDeletesEverythingOfTheirsAndLeavesOneAuditEntry) {
  Owner const ada{"tenant-1", "user-1"}, bob{"tenant-1", "user-2"};
  auto mine = this->connect(ada);
  this->connect(ada, "account-2", "notion");
  auto theirs = this->connect(bob);
  ASSERT_TRUE(this->store.audit(
      {.at = this->now, .tenant_id = "tenant-1", .user_id = "user-1", .action = AuditAction::connect}));
  ASSERT_TRUE(this->store.audit(
      {.at = this->now, .tenant_id = "tenant-1", .user_id = "user-2", .action = AuditAction::connect}));
  FlowState flow{.state = "pending-1",
                 .provider = "google",
                 .tenant_id = "tenant-1",
                 .user_id = "user-1",
                 .created_at = this->now,
                 .expires_at = this->now + std::chrono::minutes(10)};
  ASSERT_TRUE(this->store.put_state(flow));

  ASSERT_TRUE(this->store.erase_user(ada));
  EXPECT_TRUE(this->store.list(ada)->empty());
  EXPECT_TRUE(this->store.consents(ada)->empty());
  EXPECT_EQ(this->store.find(ada, mine.id).error(), Errc::integration_not_found);
  EXPECT_EQ(this->store.take_state("pending-1", "session-1", this->now).error(), Errc::state_not_found);
  auto log = this->store.audit_log(ada).value();
  // The erase entry, and the refused lookup just above: nothing from before.
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, AuditAction::erase);
  EXPECT_EQ(log[1].action, AuditAction::access_denied);
  // Someone else's records are untouched.
  EXPECT_EQ(this->store.list(bob)->size(), 1u);
  EXPECT_EQ(this->store.consents(bob)->size(), 1u);
  EXPECT_EQ(this->store.audit_log(bob)->size(), 1u);
  EXPECT_TRUE(this->store.credential(bob, theirs.id));
  // The same account can be connected again afterwards.
  EXPECT_NE(this->connect(ada).id, mine.id);
}

TYPED_TEST(Conformance, CachedResourcesAreReplacedPerKindReadByTheOwnerAndGoWithTheConnection) {
  Owner const ada{"tenant-1", "user-1"}, bob{"tenant-1", "user-2"};
  auto mine = this->connect(ada, "account-1", "notion");
  auto resource = [](std::string id, std::string title) {
    return CachedResource{.id = std::move(id),
                          .title = std::move(title),
                          .icon_type = "emoji",
                          .icon = "\xF0\x9F\x93\x9A",
                          .properties = R"({"Name":{"type":"title"}})",
                          .object = R"({"object":"data_source"})"};
  };
  ASSERT_TRUE(this->store.replace_resources(ada, mine.id, "notion.database",
                                            {resource("b", "Beta"), resource("a", "Alpha"), resource("b", "Beta 2")}));
  ASSERT_TRUE(this->store.replace_resources(ada, mine.id, "other.kind", {resource("x", "Other")}));
  auto listed = this->store.resources(ada, mine.id, "notion.database").value();
  ASSERT_EQ(listed.size(), 2u);  // one per id, the last listed; by title
  EXPECT_EQ(listed[0].id, "a");
  EXPECT_EQ(listed[1].title, "Beta 2");
  EXPECT_EQ(listed[0].integration_id, mine.id);
  EXPECT_EQ(listed[0].kind, "notion.database");
  EXPECT_EQ(listed[0].icon_type, "emoji");
  EXPECT_EQ(listed[0].icon, "\xF0\x9F\x93\x9A");
  EXPECT_EQ(listed[0].properties, R"({"Name":{"type":"title"}})");
  EXPECT_EQ(listed[0].object, R"({"object":"data_source"})");
  EXPECT_LT(listed[0].refreshed_at - this->now, std::chrono::minutes(1));  // the store's clock, when written
  EXPECT_LT(this->now - listed[0].refreshed_at, std::chrono::minutes(1));

  // A replacement drops what is no longer listed, and leaves other kinds alone.
  ASSERT_TRUE(this->store.replace_resources(ada, mine.id, "notion.database", {resource("c", "Gamma")}));
  listed = this->store.resources(ada, mine.id, "notion.database").value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, "c");
  EXPECT_EQ(this->store.resources(ada, mine.id, "other.kind")->size(), 1u);

  // Nobody else reads or writes them.
  EXPECT_EQ(this->store.resources(bob, mine.id, "notion.database").error(), Errc::integration_not_found);
  EXPECT_EQ(this->store.replace_resources(bob, mine.id, "notion.database", {}).error(), Errc::integration_not_found);
  EXPECT_EQ(this->store.resources(ada, mine.id, "notion.database")->size(), 1u);

  ASSERT_TRUE(this->store.disconnect(ada, mine.id, this->now));
  EXPECT_TRUE(this->store.resources(ada, mine.id, "notion.database")->empty());
  EXPECT_TRUE(this->store.resources(ada, mine.id, "other.kind")->empty());

  auto again = this->connect(ada, "account-2", "notion");
  ASSERT_TRUE(this->store.replace_resources(ada, again.id, "notion.database", {resource("d", "Delta")}));
  ASSERT_TRUE(this->store.erase_user(ada));
  auto after = this->connect(ada, "account-2", "notion");
  EXPECT_TRUE(this->store.resources(ada, after.id, "notion.database")->empty());
}

// Instances that list one Notion workspace at once each replace its cache: every
// replacement succeeds, and what is left is one of them whole.
TYPED_TEST(Conformance, ConcurrentReplacementsOfOneCacheFromManyProcessesAllLand) {
  Owner const ada{"tenant-1", "user-1"};
  auto const mine = this->connect(ada, "account-1", "notion");
  auto listing = [](int n) {
    std::vector<CachedResource> resources;
    for (int i = 0; i < 5; ++i)
      resources.push_back({.id = "db-" + std::to_string(i + n % 3), .title = "Database " + std::to_string(i)});
    return resources;
  };
  constexpr int processes = 4;
  constexpr int each = 15;
  std::atomic<int> failed{0};
  std::barrier start(processes);
  {
    std::vector<std::jthread> writers;
    for (int p = 0; p < processes; ++p)
      writers.emplace_back([&, p] {
        auto store = this->another_store();
        start.arrive_and_wait();
        for (int n = 0; n < each; ++n) {
          auto replaced = store.replace_resources(ada, mine.id, "notion.database", listing(p + n));
          if (!replaced) {
            ++failed;
            ADD_FAILURE() << replaced.error().message();
          }
        }
      });
  }
  EXPECT_EQ(failed.load(), 0);
  auto const left = this->store.resources(ada, mine.id, "notion.database").value();
  ASSERT_EQ(left.size(), 5u);
  std::set<std::string> ids;
  for (auto const& resource : left) ids.insert(resource.id);
  auto const first = std::stoi(ids.begin()->substr(3));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(ids.contains("db-" + std::to_string(first + i))) << i;
}

TYPED_TEST(Conformance, ACorruptOrForeignCiphertextIsATypedErrorNamingTheIntegration) {
  auto record = this->connect();
  Owner const owner{"tenant-1", "user-1"};
  auto corrupt = record;
  corrupt.access_token_ciphertext = "not-a-fernet-token";
  ASSERT_TRUE(this->store.backend().update_tokens(corrupt, record.version));
  auto read = this->store.credential(owner, record.id);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), Errc::undecryptable_token);
  EXPECT_NE(read.error().description.find(record.id), std::string::npos) << read.error().description;
  EXPECT_NE(read.error().description.find("corrupt"), std::string::npos) << read.error().description;

  auto foreign = this->store.find(owner, record.id).value();
  auto other_key = new_keyring();
  foreign.access_token_ciphertext = other_key.encrypt("a token from elsewhere").value();
  foreign.key_id = other_key.key_id();
  ASSERT_TRUE(this->store.backend().update_tokens(foreign, foreign.version));
  read = this->store.credential(owner, record.id);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), Errc::undecryptable_token);
  EXPECT_NE(read.error().description.find(record.id), std::string::npos);
  EXPECT_NE(read.error().description.find(other_key.key_id()), std::string::npos) << read.error().description;
  EXPECT_EQ(read.error().description.find("a token from elsewhere"), std::string::npos);
}

TYPED_TEST(Conformance, TokensUnderARetiredKeyAreReadAndMovedToTheNewestOnRead) {
  auto record = this->connect();
  auto const newest = crypto::Fernet::generate_key().value();
  auto ring = crypto::Keyring::from_list(std::string(newest.reveal()) + "," + std::string(this->key.reveal()));
  TokenStore<typename TypeParam::Backend> rotated(this->source.open_again().value(), std::move(ring).value());
  auto read = rotated.credential({"tenant-1", "user-1"}, record.id);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->access_token.reveal(), "access-1");
  auto const moved = rotated.find({"tenant-1", "user-1"}, record.id).value();
  EXPECT_EQ(moved.key_id, rotated.keyring().key_id());
  auto const only_newest = crypto::Keyring::from_list(newest.reveal()).value();
  EXPECT_EQ(only_newest.decrypt(moved.access_token_ciphertext)->plaintext, "access-1");
  EXPECT_EQ(only_newest.decrypt(moved.refresh_token_ciphertext)->plaintext, "refresh-1");
}

}  // namespace
}  // namespace oauth::test
