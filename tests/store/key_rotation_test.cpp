// Re-encrypting a whole store under a new key while it keeps serving, on every backend.

#include "store/store_fixture.hpp"

#include <oauth/store/key_rotation.hpp>

#include <atomic>
#include <random>
#include <thread>

namespace oauth::test {
namespace {

template <class S>
struct Rotation : StoreFixture<S> {
  EncryptionKey const newest = crypto::Fernet::generate_key().value();

  /// OAUTH_ENCRYPTION_KEY="newest,old": what an operator sets to start a rotation.
  TokenStore<typename S::Backend> rotating_store() {
    auto ring = crypto::Keyring::from_list(std::string(newest.reveal()) + "," + std::string(this->key.reveal()));
    return TokenStore<typename S::Backend>(this->source.open_again().value(), std::move(ring).value());
  }

  std::vector<IntegrationRecord> seed(int count) {
    std::vector<IntegrationRecord> records;
    for (int i = 0; i < count; ++i)
      records.push_back(this->connect({"tenant-" + std::to_string(i % 7), "user-" + std::to_string(i % 100)},
                                      "account-" + std::to_string(i), "google", "access-" + std::to_string(i),
                                      "refresh-" + std::to_string(i)));
    return records;
  }

  void expect_all_under_newest(std::vector<IntegrationRecord> const& records) {
    auto only_newest = crypto::Keyring::from_list(newest.reveal()).value();
    TokenStore<typename S::Backend> after(this->source.open_again().value(), std::move(only_newest));
    for (std::size_t i = 0; i < records.size(); ++i) {
      auto credential = after.credential(records[i].owner(), records[i].id);
      ASSERT_TRUE(credential) << records[i].id << ": " << credential.error().message();
      ASSERT_EQ(credential->access_token.reveal(), "access-" + std::to_string(i));
      ASSERT_EQ(credential->refresh_token->reveal(), "refresh-" + std::to_string(i));
      ASSERT_EQ(credential->record.key_id, after.keyring().key_id());
    }
  }
};
TYPED_TEST_SUITE(Rotation, AllStores);

TYPED_TEST(Rotation, TenThousandCredentialsMoveUnderConcurrentReadsWithoutAFailedRead) {
  constexpr int credentials = 10'000;
  auto const records = this->seed(credentials);

  std::atomic<bool> done{false};
  std::atomic<long> reads{0}, failed_reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      auto serving = this->rotating_store();  // an instance of the service, already on the new key list
      std::minstd_rand random(r + 1);
      std::uniform_int_distribution<int> pick(0, credentials - 1);
      while (!done) {
        auto const i = pick(random);
        auto credential = serving.credential(records[i].owner(), records[i].id);
        ++reads;
        if (!credential || credential->access_token.reveal() != "access-" + std::to_string(i)) ++failed_reads;
      }
    });
  }

  auto store = this->rotating_store();
  KeyRotation<typename TypeParam::Backend> rotation(store, 500);
  auto progress = rotation.run();
  done = true;
  for (auto& t : readers) t.join();

  ASSERT_TRUE(progress) << progress.error().message();
  EXPECT_TRUE(progress->complete);
  EXPECT_EQ(progress->examined, std::size_t{credentials});
  EXPECT_EQ(progress->reencrypted + progress->already_current, std::size_t{credentials});
  EXPECT_TRUE(progress->failures.empty());
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(failed_reads.load(), 0) << "of " << reads.load() << " reads";
  this->expect_all_under_newest(records);
}

TYPED_TEST(Rotation, AStoppedRotationResumesWhereItWasAndAFinishedOneStaysFinished) {
  auto const records = this->seed(250);
  auto store = this->rotating_store();
  {
    KeyRotation<typename TypeParam::Backend> first(store, 100);
    auto progress = first.step();
    ASSERT_TRUE(progress);
    EXPECT_EQ(progress->examined, 100u);
    EXPECT_FALSE(progress->complete);
  }  // the job stops: a deploy, a crash
  KeyRotation<typename TypeParam::Backend> resumed(store, 100);
  auto progress = resumed.run();
  ASSERT_TRUE(progress);
  EXPECT_TRUE(progress->complete);
  EXPECT_EQ(progress->examined, 150u);
  EXPECT_EQ(progress->reencrypted, 150u);
  this->expect_all_under_newest(records);

  KeyRotation<typename TypeParam::Backend> again(store, 100);
  auto finished = again.run();
  ASSERT_TRUE(finished);
  EXPECT_TRUE(finished->complete);
  EXPECT_EQ(finished->examined, 0u);
}

TYPED_TEST(Rotation, TokensNoConfiguredKeyOpensAreReportedByIntegrationAndLeftAlone) {
  auto const records = this->seed(3);
  auto lost = this->store.find(records[1].owner(), records[1].id).value();
  auto const foreign = new_keyring();
  lost.access_token_ciphertext = foreign.encrypt("from elsewhere").value();
  lost.key_id = foreign.key_id();
  ASSERT_TRUE(this->store.backend().update_tokens(lost, lost.version));

  auto store = this->rotating_store();
  auto progress = KeyRotation<typename TypeParam::Backend>(store).run();
  ASSERT_TRUE(progress);
  EXPECT_TRUE(progress->complete);
  EXPECT_EQ(progress->reencrypted, 2u);
  ASSERT_EQ(progress->failures.size(), 1u);
  EXPECT_EQ(progress->failures[0].first, records[1].id);
  EXPECT_EQ(progress->failures[0].second, Errc::undecryptable_token);
  EXPECT_NE(progress->failures[0].second.description.find(records[1].id), std::string::npos);
}

}  // namespace
}  // namespace oauth::test
