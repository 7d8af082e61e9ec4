#include <oauth/error.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

oauth::Result<int> parse_positive(int v) {
  if (v <= 0) return oauth::Error(oauth::Errc::invalid_argument, "value must be positive");
  return v;
}

TEST(Error, CodesLiveInTheOauthCategory) {
  boost::system::error_code ec = oauth::Errc::token_expired;
  EXPECT_STREQ(ec.category().name(), "oauth");
  EXPECT_EQ(ec.message(), "encrypted token has expired");
  EXPECT_EQ(ec, oauth::Errc::token_expired);
}

TEST(Error, EveryCodeHasItsOwnMessage) {
  std::set<std::string> messages;
  for (int e = static_cast<int>(oauth::Errc::invalid_argument); e <= static_cast<int>(oauth::Errc::crypto_failure); ++e)
    messages.insert(oauth::make_error_code(static_cast<oauth::Errc>(e)).message());
  EXPECT_EQ(messages.size(), static_cast<std::size_t>(oauth::Errc::crypto_failure));
  EXPECT_EQ(messages.count("unknown oauth error"), 0u);
}

TEST(Error, ResultCarriesTheValueOrTheDescribedError) {
  EXPECT_EQ(parse_positive(3).value(), 3);
  auto failed = parse_positive(-1);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), oauth::Errc::invalid_argument);
  EXPECT_EQ(failed.error().message(), "invalid argument: value must be positive");
}

TEST(Error, ValueThrowsSystemErrorForCallersWhoPreferExceptions) {
  try {
    (void)parse_positive(0).value();
    FAIL() << "value() did not throw";
  } catch (boost::system::system_error const& e) {
    EXPECT_EQ(e.code(), oauth::Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("value must be positive"), std::string::npos);
  }
}

}  // namespace
