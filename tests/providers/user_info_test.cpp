// Each provider's identity mapping on the shapes real providers send, quirks included.

#include "support/provider_fixtures.hpp"

#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/youtube.hpp>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace {

using namespace oauth::providers;

template <class P>
oauth::Result<oauth::UserInfo> map(std::string_view json) {
  return P::map_user_info(boost::json::parse(json).as_object());
}

TEST(GoogleUserInfo, OpenIdConnectShape) {
  auto info = map<Google>(oauth::test::Fixture<Google>::identity).value();
  EXPECT_EQ(info.account_id, "110169484474386276334");
  EXPECT_EQ(info.email, "ada@example.com");
  EXPECT_EQ(info.email_verified, true);
  EXPECT_EQ(info.name, "Ada Lovelace");
  EXPECT_EQ(info.picture, "https://lh3.googleusercontent.com/a/ada");
  EXPECT_FALSE(info.workspace);
}

TEST(GoogleUserInfo, LegacyV2ShapeAndStringBooleans) {
  auto info = map<Google>(R"({"id": "1101", "email": "a@b.c", "verified_email": "true"})").value();
  EXPECT_EQ(info.account_id, "1101");
  EXPECT_EQ(info.email_verified, true);
  EXPECT_FALSE(info.name);
}

TEST(GoogleUserInfo, OnlySubIsRequired) {
  auto info = map<Google>(R"({"sub": "1", "email": null})").value();
  EXPECT_EQ(info.account_id, "1");
  EXPECT_FALSE(info.email);
}

TEST(GoogleUserInfo, ProblemsAreNamed) {
  EXPECT_EQ(map<Google>(R"({"email": "a@b.c"})").error().description, "google userinfo.id is missing");
  EXPECT_EQ(map<Google>(R"({"sub": ""})").error().description, "google userinfo.sub is empty");
  EXPECT_EQ(map<Google>(R"({"sub": 7})").error().description, "google userinfo.sub must be a string");
  EXPECT_EQ(map<Google>(R"({"sub": "1", "email_verified": "yes"})").error().description,
            "google userinfo.email_verified must be a boolean");
}

TEST(MicrosoftUserInfo, GraphOidcShape) {
  auto info = map<Microsoft<>>(oauth::test::Fixture<Microsoft<>>::identity).value();
  EXPECT_EQ(info.account_id, "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA");
  EXPECT_EQ(info.email, "mary@contoso.com");
  EXPECT_EQ(info.name, "Mary Ellis");
  EXPECT_FALSE(info.email_verified);
}

TEST(MicrosoftUserInfo, PersonalAccountsMayLackEmail) {
  auto info = map<Microsoft<"consumers">>(R"({"sub": "abc", "name": "Sam"})").value();
  EXPECT_FALSE(info.email);
}

TEST(NotionUserInfo, UserOwnedWorkspace) {
  auto info = map<Notion>(oauth::test::Fixture<Notion>::identity).value();
  EXPECT_EQ(info.account_id, "5c7b1d5e-8a2f-4f0e-9d44-0c0bb0b6a1a1");
  EXPECT_EQ(info.name, "Ada Lovelace");
  EXPECT_EQ(info.email, "ada@example.com");
  EXPECT_EQ(info.picture, "https://s3.notion.test/ada.png");
  ASSERT_TRUE(info.workspace);
  EXPECT_EQ(info.workspace->id, "a1b2c3d4-0000-4000-8000-000000000002");
  EXPECT_EQ(info.workspace->name, "Ada's Notes");
  EXPECT_EQ(info.workspace->icon, "https://s3.notion.test/icon.png");
  EXPECT_EQ(info.workspace->bot_id, "b3c4d5e6-0000-4000-8000-000000000001");
  EXPECT_FALSE(info.workspace->owned_by_workspace);
  EXPECT_EQ(info.workspace->request_id, "f1e2d3c4-0000-4000-8000-000000000003");
  EXPECT_FALSE(info.workspace->duplicated_template_id);
  ASSERT_TRUE(info.workspace->owner_json);
  auto const owner = boost::json::parse(*info.workspace->owner_json);
  EXPECT_EQ(owner.at("user").at("id").as_string(), "5c7b1d5e-8a2f-4f0e-9d44-0c0bb0b6a1a1");
}

TEST(NotionUserInfo, ATemplateDuplicatedOnInstallIsKept) {
  auto info = map<Notion>(R"({"bot_id": "b", "workspace_id": "w", "duplicated_template_id": "tpl-1",
    "owner": {"type": "workspace", "workspace": true}})")
                  .value();
  EXPECT_EQ(info.workspace->duplicated_template_id, "tpl-1");
  EXPECT_FALSE(info.workspace->request_id);
}

TEST(NotionUserInfo, NullWorkspaceFieldsAndBotUsersWithoutPerson) {
  auto info = map<Notion>(R"({"access_token": "t", "bot_id": "b", "workspace_id": "w", "workspace_name": null,
    "workspace_icon": null, "refresh_token": null,
    "owner": {"type": "user", "user": {"object": "user", "id": "u", "type": "person"}}})")
                  .value();
  EXPECT_EQ(info.account_id, "u");
  EXPECT_FALSE(info.email);
  EXPECT_FALSE(info.workspace->name);
  EXPECT_FALSE(info.workspace->icon);
}

TEST(NotionUserInfo, LegacyWorkspaceOwner) {
  auto info = map<Notion>(R"({"access_token": "t", "bot_id": "b", "workspace_id": "w", "workspace_name": "Team",
    "owner": {"type": "workspace", "workspace": true}})")
                  .value();
  EXPECT_EQ(info.account_id, "w");
  EXPECT_TRUE(info.workspace->owned_by_workspace);
  EXPECT_FALSE(info.email);
}

TEST(NotionUserInfo, ProblemsAreNamed) {
  EXPECT_EQ(map<Notion>(R"({"bot_id": "b", "owner": {"type": "user", "user": {"id": "u"}}})").error().description,
            "notion token response.workspace_id is missing");
  EXPECT_EQ(map<Notion>(R"({"bot_id": "b", "workspace_id": "w", "owner": {"type": "bot"}})").error().description,
            "notion token response.owner.type must be \"user\" or \"workspace\"");
  EXPECT_EQ(map<Notion>(R"({"bot_id": "b", "workspace_id": "w", "owner": {"type": "user"}})").error().description,
            "notion token response.owner.user is missing");
  EXPECT_EQ(map<Notion>(R"({"bot_id": "b", "workspace_id": "w", "owner": "user"})").error().description,
            "notion token response.owner must be an object");
}

TEST(YouTubeUserInfo, TheFirstChannelIsTheAccount) {
  auto info = map<YouTube>(oauth::test::Fixture<YouTube>::identity).value();
  EXPECT_EQ(info.account_id, "UC_x5XG1OV2P6uZZ5FSM9Ttw");
  EXPECT_EQ(info.name, "Google for Developers");
  EXPECT_EQ(info.picture, "https://yt3.ggpht.test/default.jpg");
  EXPECT_FALSE(info.email);
}

TEST(YouTubeUserInfo, AnAccountWithoutAChannelIsAnError) {
  EXPECT_EQ(map<YouTube>(R"({"kind": "youtube#channelListResponse", "items": []})").error().description,
            "youtube channels.items is empty");
  EXPECT_EQ(
      map<YouTube>(R"({"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": 0}})").error().description,
      "youtube channels.items is missing");
}

TEST(YouTubeUserInfo, ThumbnailsAreOptional) {
  auto info = map<YouTube>(R"({"items": [{"id": "UC1", "snippet": {"title": "T"}}]})").value();
  EXPECT_EQ(info.account_id, "UC1");
  EXPECT_FALSE(info.picture);
}

TEST(ProviderFacts, GoogleAndYouTubeShareGooglesAccounts) {
  static_assert(Google::token_endpoint == YouTube::token_endpoint);
  static_assert(Google::revocation_style == oauth::RevocationStyle::token_in_query);
  static_assert(Google::supports_refresh && !Google::rotates_refresh_token && Google::supports_pkce);
  static_assert(Google::token_auth == oauth::ClientAuth::request_body && Google::token_body == oauth::BodyFormat::form);
  static_assert(!oauth::Introspectable<Google>);
  EXPECT_EQ(oauth::authorization_params<Google>()[0].name, "access_type");
  EXPECT_EQ(oauth::authorization_params<YouTube>()[0].value, "offline");
}

TEST(ProviderFacts, MicrosoftRotatesAndCannotRevoke) {
  static_assert(Microsoft<>::rotates_refresh_token && !oauth::Revocable<Microsoft<>>);
  static_assert(Microsoft<"consumers">::tenant == "consumers");
  static_assert(Microsoft<>::token_endpoint == "https://login.microsoftonline.com/common/oauth2/v2.0/token");
  EXPECT_TRUE(oauth::find_scope<Microsoft<>>("offline_access")->required);
}

TEST(ProviderFacts, NotionIsBasicJsonVersionedAndRotating) {
  static_assert(Notion::token_auth == oauth::ClientAuth::basic && Notion::token_body == oauth::BodyFormat::json);
  static_assert(Notion::rotates_refresh_token && !Notion::supports_pkce);
  static_assert(oauth::Revocable<Notion> && oauth::Introspectable<Notion> && !oauth::HasUserInfoEndpoint<Notion>);
  EXPECT_EQ(oauth::request_headers<Notion>()[0].name, "Notion-Version");
  EXPECT_EQ(oauth::authorization_params<Notion>()[0].value, "user");
  EXPECT_TRUE(oauth::request_headers<Google>().empty());
}

}  // namespace
