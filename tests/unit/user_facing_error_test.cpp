#include <oauth/providers/google.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/user_facing_error.hpp>

#include <gtest/gtest.h>

namespace oauth {
namespace {

TEST(UserFacingError, NotionFollowsTheProductsMapping) {
  using N = providers::Notion;
  EXPECT_EQ(user_facing_error<N>(Error(Errc::unauthorized)).code, "NOTION_TOKEN_INVALID");
  EXPECT_EQ(user_facing_error<N>(Error(Errc::unauthorized)).http_status, 401u);
  EXPECT_NE(user_facing_error<N>(Error(Errc::unauthorized)).message.find("reconnect your Notion workspace"),
            std::string::npos);
  EXPECT_EQ(user_facing_error<N>(Error(Errc::not_found)),
            (UserFacingError{"NOTION_DATABASE_NOT_FOUND", 404,
                             "The Notion database was not found, or is not shared with this app."}));
  EXPECT_EQ(user_facing_error<N>(Error(Errc::forbidden)).code, "NOTION_ACCESS_DENIED");
  EXPECT_EQ(user_facing_error<N>(Error(Errc::forbidden)).http_status, 403u);
  EXPECT_EQ(user_facing_error<N>(Error(Errc::rate_limited)).code, "NOTION_RATE_LIMITED");
  EXPECT_EQ(user_facing_error<N>(Error(Errc::rate_limited)).http_status, 429u);
  EXPECT_EQ(user_facing_error<N>(Error(Errc::invalid_grant), Operation::connect).code, "NOTION_OAUTH_FAILED");
  EXPECT_EQ(user_facing_error<N>(Error(Errc::provider_unavailable)).code, "NOTION_API_ERROR");
  EXPECT_EQ(user_facing_error<N>(Error(Errc::conflict)).code, "NOTION_API_ERROR");
}

TEST(UserFacingError, OtherProvidersGetTheLibrarysMapping) {
  using G = providers::Google;
  EXPECT_EQ(user_facing_error<G>(Error(Errc::needs_reauth)),
            (UserFacingError{"GOOGLE_TOKEN_INVALID", 401, "Please reconnect your google account."}));
  EXPECT_EQ(user_facing_error<G>(Error(Errc::rate_limited)).http_status, 429u);
  EXPECT_EQ(user_facing_error<G>(Error(Errc::timeout)).http_status, 503u);
  EXPECT_EQ(user_facing_error<G>(Error(Errc::state_expired)).code, "OAUTH_STATE_INVALID");
  EXPECT_EQ(user_facing_error<G>(Error(Errc::integration_not_found)).http_status, 404u);
  EXPECT_EQ(user_facing_error<G>(Error(Errc::invalid_client), Operation::connect).code, "GOOGLE_OAUTH_FAILED");
  EXPECT_EQ(user_facing_error<G>(Error(Errc::provider_error)).code, "GOOGLE_API_ERROR");
}

}  // namespace
}  // namespace oauth
