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

TEST(Secret, MovingAShortSecretLeavesNoCopyBehind) {
  // A short value lives in the string's inline buffer, which a move copies from rather
  // than steals; the source buffer is then looked at directly.
  oauth::AccessToken a{"tiny-token"};
  char const* buffer = a.reveal().data();
  oauth::AccessToken b = std::move(a);
  EXPECT_EQ(b.reveal(), "tiny-token");
  EXPECT_EQ(std::string_view(buffer, 10).find("tiny"), std::string_view::npos);
  EXPECT_EQ(std::string_view(buffer, 10), std::string_view("\0\0\0\0\0\0\0\0\0\0", 10));
}

TEST(Secret, KindsDoNotMix) {
  static_assert(!std::is_convertible_v<oauth::AccessToken, oauth::RefreshToken>);
  static_assert(!std::is_convertible_v<oauth::AccessToken, std::string>);
  static_assert(!std::is_convertible_v<std::string, oauth::ClientSecret>);
}

}  // namespace
