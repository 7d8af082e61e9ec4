#include <oauth/crypto/random.hpp>
#include <oauth/crypto/state.hpp>

#include <gtest/gtest.h>

#include <array>
#include <set>

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
