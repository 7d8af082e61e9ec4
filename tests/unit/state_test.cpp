#include <oauth/crypto/random.hpp>
#include <oauth/crypto/state.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace {

TEST(State, ValuesCarryAtLeast128RandomBitsInUrlSafeText) {
  static_assert(oauth::crypto::state_bytes * 8 >= 128);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto state = oauth::crypto::make_state().value();
    EXPECT_EQ(state.size(), 43u);
    EXPECT_EQ(state.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    seen.insert(state);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(State, OrderedValuesSortByTimeAndKeepTheirRandomPart) {
  using namespace std::chrono;
  auto const at = oauth::TimePoint(microseconds(0x1234'5678'9abcLL));
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto state = oauth::crypto::make_ordered_state(at).value();
    ASSERT_EQ(state.size(), 57u);
    EXPECT_EQ(state.substr(0, 14),
              "0012345678"
              "9abc");
    EXPECT_EQ(state.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 14),
              std::string::npos);
    seen.insert(state.substr(14));
  }
  EXPECT_EQ(seen.size(), 200u);  // the random part is fresh each time

  // Later is greater as text, across a change of digit and up to the last time there is.
  std::vector<oauth::TimePoint> const times{oauth::TimePoint(microseconds(0)), oauth::TimePoint(microseconds(0xf)),
                                            oauth::TimePoint(microseconds(0x10)), at, oauth::TimePoint::max()};
  for (std::size_t i = 1; i < times.size(); ++i)
    EXPECT_LT(oauth::crypto::make_ordered_state(times[i - 1]).value().substr(0, 14),
              oauth::crypto::make_ordered_state(times[i]).value().substr(0, 14));
  // A time before 1970 (a test clock) leads with zeros.
  EXPECT_EQ(oauth::crypto::make_ordered_state(oauth::TimePoint(-seconds(5))).value().substr(0, 14),
            std::string(14, '0'));
}

TEST(State, MatchesOnlyTheIssuedValue) {
  auto issued = oauth::crypto::make_state().value();
  EXPECT_TRUE(oauth::crypto::state_matches(issued, issued));
  auto forged = issued;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(oauth::crypto::state_matches(issued, forged));
  EXPECT_FALSE(oauth::crypto::state_matches(issued, issued.substr(1)));
  EXPECT_FALSE(oauth::crypto::state_matches(issued, ""));
  EXPECT_FALSE(oauth::crypto::state_matches("", ""));
}

TEST(ConstantTime, EqualOnlyForIdenticalBytes) {
  using oauth::crypto::constant_time_equal;
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

TEST(Random, FillsBuffersAndTokensWithFreshBytes) {
  std::array<unsigned char, 64> a{}, b{};
  ASSERT_TRUE(oauth::crypto::random_fill(a));
  ASSERT_TRUE(oauth::crypto::random_fill(b));
  EXPECT_NE(a, b);
  EXPECT_EQ(oauth::crypto::random_token(16).value().size(), 22u);
  EXPECT_EQ(oauth::crypto::random_token(0).value(), "");
}

}  // namespace
