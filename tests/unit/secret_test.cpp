#include <oauth/secret.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>

namespace {

TEST(Secret, PrintsRedacted) {
  oauth::AccessToken token{"ya29.a0AfH6SMB-very-secret"};
  std::ostringstream out;
  out << token;
  EXPECT_EQ(out.str(), "[redacted]");
  EXPECT_EQ(token.reveal(), "ya29.a0AfH6SMB-very-secret");
}

TEST(Secret, ComparesByValue) {
  EXPECT_EQ(oauth::ClientSecret{"abc"}, oauth::ClientSecret{"abc"});
  EXPECT_FALSE(oauth::ClientSecret{"abc"} == oauth::ClientSecret{"abd"});
  EXPECT_FALSE(oauth::ClientSecret{"abc"} == oauth::ClientSecret{"abcd"});
}

TEST(Secret, MovingLeavesTheSourceEmpty) {
  oauth::RefreshToken a{"1//0refresh"};
  oauth::RefreshToken b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the wipe is what is tested
  EXPECT_EQ(b.reveal(), "1//0refresh");
  oauth::RefreshToken c{"other"};
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.reveal(), "1//0refresh");
  oauth::RefreshToken d{"x"};
  d = c;
  EXPECT_EQ(d, c);
}

TEST(Secret, KindsDoNotMix) {
  static_assert(!std::is_convertible_v<oauth::AccessToken, oauth::RefreshToken>);
  static_assert(!std::is_convertible_v<oauth::AccessToken, std::string>);
  static_assert(!std::is_convertible_v<std::string, oauth::ClientSecret>);
}

}  // namespace
