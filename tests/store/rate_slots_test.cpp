// Rate slots kept in a store that every process shares (store/rate_slots.hpp): what makes
// a service's rate limits and a provider's API pacing hold across its instances.

#include "store/store_fixture.hpp"

#include <oauth/store/any.hpp>
#include <oauth/store/open.hpp>
#include <oauth/store/rate_slots.hpp>

#include <algorithm>
#include <barrier>
#include <mutex>
#include <set>
#include <thread>

namespace oauth::test {
namespace {

using namespace std::chrono_literals;
using store::RateSlot;
using store::RateSpacing;
using store::SlotRequest;

template <class S>
struct RateSlots : StoreFixture<S> {
  RateSlot take(TokenStore<typename S::Backend>& on, std::string_view key, RateSpacing spacing,
                SlotRequest request = SlotRequest::take_if_free) {
    auto slot = on.reserve_rate_slot(key, spacing, request);
    EXPECT_TRUE(slot) << slot.error().message();
    return slot ? *slot : RateSlot{false, 0us};
  }
};
using SharedStores = ::testing::Types<PostgresStore, RedisStore>;
TYPED_TEST_SUITE(RateSlots, SharedStores);

TYPED_TEST(RateSlots, ABurstThenOneSlotAnIntervalAndARefusalReservesNothing) {
  ASSERT_TRUE(this->store.shares_rate_slots());
  // Five a second, three at once.
  auto const spacing = RateSpacing::of(5.0, 3);
  ASSERT_EQ(spacing.interval, 200ms);
  ASSERT_EQ(spacing.tolerance, 400ms);
  for (int i = 0; i < 3; ++i) {
    auto const slot = this->take(this->store, "burst", spacing);
    EXPECT_TRUE(slot.granted) << i;
    EXPECT_EQ(slot.wait, 0us) << i;
  }
  auto const refused = this->take(this->store, "burst", spacing);
  EXPECT_FALSE(refused.granted);
  EXPECT_GT(refused.wait, 100ms);
  EXPECT_LE(refused.wait, 200ms);
  // A refusal took nothing: the next caller is told no later a time.
  for (int i = 0; i < 20; ++i) EXPECT_LE(this->take(this->store, "burst", spacing).wait, refused.wait);

  // Reserved instead, slots come an interval apart, however far ahead.
  auto const first = this->take(this->store, "burst", spacing, SlotRequest::reserve);
  auto const second = this->take(this->store, "burst", spacing, SlotRequest::reserve);
  EXPECT_TRUE(first.granted);
  EXPECT_TRUE(second.granted);
  EXPECT_GT(first.wait, 0us);
  EXPECT_NEAR(std::chrono::duration<double>(second.wait - first.wait).count(), 0.2, 0.05);

  // Once the bucket has had time to refill, its slot is free again.
  std::this_thread::sleep_for(second.wait + 250ms);
  EXPECT_TRUE(this->take(this->store, "burst", spacing).granted);
}

TYPED_TEST(RateSlots, KeysHaveBucketsOfTheirOwnAndNoRateLimitsNothing) {
  auto const spacing = RateSpacing::of(1.0, 1);
  EXPECT_TRUE(this->take(this->store, "a", spacing).granted);
  EXPECT_FALSE(this->take(this->store, "a", spacing).granted);
  EXPECT_TRUE(this->take(this->store, "b", spacing).granted);
  EXPECT_TRUE(this->take(this->store, "a\nb", spacing).granted);  // no key stands for two
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(this->take(this->store, "a", RateSpacing{}).granted);
}

// What makes a limit hold across instances: another process's store, over the same data,
// takes from the same bucket.
TYPED_TEST(RateSlots, EveryProcessSharingTheStoreTakesFromOneBucket) {
  auto other = this->another_store();
  auto const spacing = RateSpacing::of(0.1, 4);
  int granted = 0;
  for (int i = 0; i < 6; ++i) {
    granted += this->take(this->store, "shared", spacing).granted ? 1 : 0;
    granted += this->take(other, "shared", spacing).granted ? 1 : 0;
  }
  EXPECT_EQ(granted, 4);
}

// Taken together, two hundred reservations get two hundred slots: no two callers are
// handed the same one.
TYPED_TEST(RateSlots, ConcurrentReservationsEachGetASlotOfTheirOwn) {
  auto const spacing = RateSpacing::of(1.0, 1);  // a slot a second: far apart, whatever the machine's speed
  constexpr int threads = 8;
  constexpr int each = 25;
  std::mutex mutex;
  std::vector<std::chrono::microseconds> waits;
  std::barrier start(threads);
  auto const began = std::chrono::steady_clock::now();
  std::vector<std::jthread> callers;
  for (int t = 0; t < threads; ++t)
    callers.emplace_back([&] {
      auto store = this->another_store();
      start.arrive_and_wait();
      for (int i = 0; i < each; ++i) {
        auto slot = store.reserve_rate_slot("together", spacing, SlotRequest::reserve);
        ASSERT_TRUE(slot) << slot.error().message();
        // As seen from when the test began: the slot's own time.
        auto const at = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began);
        std::lock_guard lock(mutex);
        waits.push_back(at + slot->wait);
      }
    });
  callers.clear();
  ASSERT_EQ(waits.size(), std::size_t{threads * each});
  std::set<long long> seconds;
  for (auto wait : waits) seconds.insert(std::chrono::round<std::chrono::seconds>(wait).count());
  EXPECT_EQ(seconds.size(), waits.size());
  EXPECT_EQ(*seconds.rbegin() - *seconds.begin(), threads * each - 1);
}

TYPED_TEST(RateSlots, IdleBucketsDoNotPileUp) {
  auto const spacing = RateSpacing{1s, 0us};
  for (int i = 0; i < 1500; ++i) this->take(this->store, "flood-" + std::to_string(i), spacing);
  EXPECT_GE(this->source.rate_buckets(), 1500u);
  // A second on, every bucket is full again, as good as none: the store lets them go
  // (Redis as they expire, PostgreSQL every 1024 slots taken).
  std::this_thread::sleep_for(1100ms);
  for (int i = 0; i < 1100; ++i) this->take(this->store, "busy", RateSpacing::of(1e6, 1));
  EXPECT_LE(this->source.rate_buckets(), 1u);
}

TEST(RateSlotsShared, OnlyStoresEveryProcessSharesKeepThem) {
  ScratchDirectory directory;
  auto sqlite = store::open_backend("sqlite:" + (directory.path() / "tokens.db").string());
  ASSERT_TRUE(sqlite);
  TokenStore<store::AnyBackend> local(std::move(*sqlite), new_keyring());
  EXPECT_FALSE(local.shares_rate_slots());
  auto refused = local.reserve_rate_slot("a", RateSpacing::of(1.0, 1), SlotRequest::reserve);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), Errc::invalid_argument);
  TokenStore<store::MemoryBackend> memory(store::MemoryBackend{}, new_keyring());
  EXPECT_FALSE(memory.shares_rate_slots());

  auto redis =
      store::open_backend(TestServers::shared().value("OAUTH_TEST_REDIS_URL") + "?prefix=" + unique_name("rate", '_'));
  ASSERT_TRUE(redis) << redis.error().message();
  TokenStore<store::AnyBackend> shared(std::move(*redis), new_keyring());
  EXPECT_TRUE(shared.shares_rate_slots());
  EXPECT_TRUE(shared.reserve_rate_slot("a", RateSpacing::of(1.0, 1), SlotRequest::reserve));
}

}  // namespace
}  // namespace oauth::test
