#include <oauth/store/memory.hpp>
#include <oauth/token_store.hpp>

#include <gtest/gtest.h>

namespace oauth {
namespace {

crypto::Keyring keyring() {
  return crypto::Keyring::from_list(crypto::Fernet::generate_key().value().reveal()).value();
}

struct TokenStoreTest : ::testing::Test {
  TokenStore<store::MemoryBackend> store{store::MemoryBackend{}, keyring()};
  TimePoint const now = Clock::now();

  IntegrationRecord connect(std::string account = "acct") {
    IntegrationRecord record;
    record.tenant_id = "t";
    record.user_id = "u";
    record.provider = "google";
    record.account_id = std::move(account);
    record.created_at = record.updated_at = now;
    IssuedTokens tokens{AccessToken("access-1"), RefreshToken("refresh-1"), now + std::chrono::hours(1), now, {"a"}};
    return store.save_connection(record, tokens, ConsentRecord{{}, "t", "u", "google", {"a"}, now, "ip", "ua"}).value();
  }
};

TEST_F(TokenStoreTest, TokensAreStoredEncryptedAndReadBack) {
  auto record = connect();
  EXPECT_EQ(record.access_token_ciphertext.find("access-1"), std::string::npos);
  auto credential = store.credential("t", "u", record.id);
  ASSERT_TRUE(credential);
  EXPECT_EQ(credential->access_token.reveal(), "access-1");
  EXPECT_EQ(credential->refresh_token->reveal(), "refresh-1");
  EXPECT_EQ(store.consents("t", "u")->front().integration_id, record.id);
}

TEST_F(TokenStoreTest, AnAccessOnlyReadLeavesTheRefreshTokenSealedAndAReplaceKeepsIt) {
  auto record = connect();
  auto access_only = store.credential("t", "u", record.id, TokenNeed::access).value();
  EXPECT_FALSE(access_only.refresh_token);
  auto replaced = store.replace_tokens(access_only, {AccessToken("access-2"), std::nullopt, std::nullopt, now, {"a"}});
  ASSERT_TRUE(replaced);
  auto reread = store.credential("t", "u", record.id).value();
  EXPECT_EQ(reread.access_token.reveal(), "access-2");
  ASSERT_TRUE(reread.refresh_token);
  EXPECT_EQ(reread.refresh_token->reveal(), "refresh-1");
}

TEST_F(TokenStoreTest, ARotatedRefreshTokenReplacesTheOldOne) {
  auto record = connect();
  auto credential = store.credential("t", "u", record.id).value();
  ASSERT_TRUE(store.replace_tokens(credential, {AccessToken("access-2"), RefreshToken("refresh-2"), std::nullopt, now, {}}));
  EXPECT_EQ(store.credential("t", "u", record.id)->refresh_token->reveal(), "refresh-2");
}

TEST_F(TokenStoreTest, AReplaceOverAStaleVersionIsAConflictAndChangesNothing) {
  auto record = connect();
  auto stale = store.credential("t", "u", record.id).value();
  ASSERT_TRUE(store.replace_tokens(stale, {AccessToken("access-2"), std::nullopt, std::nullopt, now, {}}));
  auto again = store.replace_tokens(stale, {AccessToken("access-3"), std::nullopt, std::nullopt, now, {}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), Errc::store_conflict);
  EXPECT_EQ(store.credential("t", "u", record.id)->access_token.reveal(), "access-2");
}

TEST_F(TokenStoreTest, OthersCannotReadAnIntegration) {
  auto record = connect();
  EXPECT_EQ(store.credential("t", "other", record.id).error(), Errc::integration_not_found);
  EXPECT_EQ(store.credential("other", "u", record.id).error(), Errc::integration_not_found);
  EXPECT_EQ(store.disconnect("other", "u", record.id, now).error(), Errc::integration_not_found);
  EXPECT_TRUE(store.list("t", "other")->empty());
}

TEST_F(TokenStoreTest, DisconnectDeletesTokensAndConsentsTogether) {
  auto record = connect();
  auto kept = connect("other-account");
  auto gone = store.disconnect("t", "u", record.id, now);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, IntegrationStatus::disconnected);
  EXPECT_TRUE(gone->access_token_ciphertext.empty());
  EXPECT_EQ(store.credential("t", "u", record.id).error(), Errc::integration_not_found);
  auto consents = store.consents("t", "u").value();
  ASSERT_EQ(consents.size(), 1u);
  EXPECT_EQ(consents.front().integration_id, kept.id);
}

TEST_F(TokenStoreTest, StatesAreSingleUseAndExpire) {
  FlowState flow;
  flow.state = "s1";
  flow.code_verifier = CodeVerifier("v");
  flow.expires_at = now + std::chrono::minutes(10);
  ASSERT_TRUE(store.put_state(flow));
  EXPECT_EQ(store.put_state(flow).error(), Errc::store_conflict);
  auto taken = store.take_state("s1", now);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->code_verifier->reveal(), "v");
  EXPECT_EQ(store.take_state("s1", now).error(), Errc::state_already_used);
  EXPECT_EQ(store.take_state("never", now).error(), Errc::state_not_found);
  flow.state = "s2";
  ASSERT_TRUE(store.put_state(flow));
  EXPECT_EQ(store.take_state("s2", now + std::chrono::minutes(11)).error(), Errc::state_expired);
  // An hour past its expiry a state is forgotten, used or not.
  flow.state = "s3";
  ASSERT_TRUE(store.put_state(flow));
  EXPECT_EQ(store.take_state("s3", now + std::chrono::minutes(71)).error(), Errc::state_not_found);
  EXPECT_EQ(store.take_state("s1", now + std::chrono::minutes(71)).error(), Errc::state_not_found);
}

TEST_F(TokenStoreTest, TheRefreshLeaseIsExclusiveUntilReleasedOrExpired) {
  auto const until = now + std::chrono::seconds(30);
  EXPECT_TRUE(store.try_acquire_refresh_lease("i", "a", now, until).value());
  EXPECT_FALSE(store.try_acquire_refresh_lease("i", "b", now, until).value());
  EXPECT_TRUE(store.try_acquire_refresh_lease("i", "b", until + std::chrono::seconds(1), until + std::chrono::seconds(31)).value());
  ASSERT_TRUE(store.release_refresh_lease("i", "a"));  // not a's any more: no effect
  EXPECT_FALSE(store.try_acquire_refresh_lease("i", "a", until + std::chrono::seconds(2), until).value());
  ASSERT_TRUE(store.release_refresh_lease("i", "b"));
  EXPECT_TRUE(store.try_acquire_refresh_lease("i", "a", until + std::chrono::seconds(2), until).value());
}

}  // namespace
}  // namespace oauth
