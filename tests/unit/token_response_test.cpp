#include <oauth/protocol/token_response.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/notion.hpp>

#include <gtest/gtest.h>

namespace oauth {
namespace {

Result<TokenResponse> parse(std::string body, unsigned status = 200) {
  return parse_token_response<providers::Google>(HttpResponse{status, {}, std::move(body)});
}

TEST(TokenResponse, ReadsTheStandardShape) {
  auto t = parse(
      R"({"access_token":"ya29.a","expires_in":3599,"refresh_token":"1//r","scope":"openid email","token_type":"Bearer","id_token":"eyJ"})");
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->access_token.reveal(), "ya29.a");
  ASSERT_TRUE(t->refresh_token);
  EXPECT_EQ(t->refresh_token->reveal(), "1//r");
  EXPECT_EQ(t->expires_in, std::chrono::seconds(3599));
  EXPECT_EQ(t->scopes, (std::vector<std::string>{"openid", "email"}));
  EXPECT_FALSE(t->fields.contains("access_token"));
  EXPECT_FALSE(t->fields.contains("refresh_token"));
  EXPECT_FALSE(t->fields.contains("id_token"));
}

TEST(TokenResponse, ExpiresInAsAStringOrADecimal) {
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"bearer","expires_in":"3600"})")->expires_in,
            std::chrono::seconds(3600));
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"bearer","expires_in":59.9})")->expires_in,
            std::chrono::seconds(59));
  EXPECT_FALSE(parse(R"({"access_token":"a","token_type":"bearer"})")->expires_in);
  EXPECT_FALSE(parse(R"({"access_token":"a","token_type":"bearer","expires_in":null})")->expires_in);
  for (auto bad : {R"("soon")", "-5", R"("-5")", "true", "[]", R"("12abc")"}) {
    auto t = parse(std::string(R"({"access_token":"a","token_type":"bearer","expires_in":)") + bad + "}");
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error(), Errc::invalid_token_response);
  }
}

// What a hostile provider answers (the mock's hostile mode) ends here as typed errors.
TEST(TokenResponse, LifetimesNoTokenHasAreRefused) {
  for (auto bad : {"0", "0.5", "-3600", "1e308", "9223372036854775808", R"("NaN")", R"("1e3")", "316224001", R"("+60")",
                   R"(" 60")"}) {
    auto t = parse(std::string(R"({"access_token":"a","token_type":"bearer","expires_in":)") + bad + "}");
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error(), Errc::invalid_token_response) << bad;
  }
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"bearer","expires_in":316224000})")->expires_in,
            std::chrono::seconds(316224000));
}

TEST(TokenResponse, AMemberNamedTwiceOrAnOversizedTokenIsRefused) {
  for (auto const& body :
       {std::string(R"({"access_token":"one","token_type":"bearer","access_token":"two"})"),
        std::string(R"({"access_token":"a","token_type":"bearer","token_type":"mac"})"),
        R"({"access_token":")" + std::string(16 * 1024 + 1, 'a') + R"(","token_type":"bearer"})",
        R"({"access_token":"a","refresh_token":")" + std::string(16 * 1024 + 1, 'r') + R"(","token_type":"bearer"})",
        R"({"access_token":"a","token_type":"bearer","scope":")" + std::string(70 * 1024, 's') + R"("})"}) {
    auto t = parse(body);
    ASSERT_FALSE(t) << body.substr(0, 80);
    EXPECT_EQ(t.error(), Errc::invalid_token_response) << body.substr(0, 80);
  }
  EXPECT_TRUE(parse(R"({"access_token":")" + std::string(16 * 1024, 'a') + R"(","token_type":"bearer"})"));
  // A scope array counts as much as the names in it: 20,000 of five bytes is over 64 KiB.
  std::string many = R"({"access_token":"a","token_type":"bearer","scope":[)";
  for (int i = 0; i < 20'000; ++i) many += i == 0 ? R"("abcd")" : R"(,"abcd")";
  EXPECT_EQ(parse(many + "]}").error(), Errc::invalid_token_response);
  EXPECT_TRUE(parse(R"({"access_token":"a","token_type":"bearer","scope":")" + std::string(64 * 1024, 's') + R"("})"));
}

// Two members of one name are found at any depth and however the name is escaped; a colon
// or an escaped quote inside a string is no member.
TEST(TokenResponse, AMemberNamedTwiceIsFoundAtAnyDepthAndUnderAnyEscape) {
  for (auto const* body : {
           R"({"access_token":"a","token_type":"bearer","access\u005ftoken":"b"})",
           R"({"access_token":"a","token_type":"bearer","owner":{"id":"x","id":"y"}})",
           R"({"access_token":"a","token_type":"bearer","list":[1,{"k":{"q":1,"q":2}}]})",
           R"({"access_token":"a","token_type":"bearer","owner":{"id":"x"},"owner":{"id":"x"}})",
       }) {
    auto t = parse(body);
    ASSERT_FALSE(t) << body;
    EXPECT_EQ(t.error(), Errc::invalid_token_response) << body;
    EXPECT_NE(t.error().message().find("names a member twice"), std::string::npos) << body;
  }
  auto t = parse(R"({"access_token":"a:b","token_type":"bearer","say \":\"":"x: y","owner":{"id":"q\\"},)"
                 R"("id":["k:v",{"id":1}]})");
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->fields.at("say \":\"").as_string(), "x: y");
}

TEST(TokenResponse, ScopeAsAStringAnArrayOrCommaSeparated) {
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"bearer","scope":["a","b"]})")->scopes,
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"bearer","scope":"a,b  c"})")->scopes,
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(parse(R"({"access_token":"a","token_type":"bearer"})")->scopes);
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"bearer","scope":[1]})").error(), Errc::invalid_token_response);
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"bearer","scope":{}})").error(), Errc::invalid_token_response);
}

TEST(TokenResponse, RefreshTokenMayBeAbsentOrNull) {
  EXPECT_FALSE(parse(R"({"access_token":"a","token_type":"bearer"})")->refresh_token);
  EXPECT_FALSE(parse(R"({"access_token":"a","token_type":"bearer","refresh_token":null})")->refresh_token);
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"bearer","refresh_token":5})").error(),
            Errc::invalid_token_response);
}

TEST(TokenResponse, InsistsOnABearerAccessToken) {
  EXPECT_EQ(parse(R"({"token_type":"bearer"})").error(), Errc::invalid_token_response);
  EXPECT_EQ(parse(R"({"access_token":"","token_type":"bearer"})").error(), Errc::invalid_token_response);
  EXPECT_EQ(parse(R"({"access_token":"a"})").error(), Errc::invalid_token_response);
  EXPECT_EQ(parse(R"({"access_token":"a","token_type":"mac"})").error(), Errc::invalid_token_response);
  EXPECT_TRUE(parse(R"({"access_token":"a","token_type":"BEARER"})"));
  EXPECT_EQ(parse("[1,2]").error(), Errc::invalid_token_response);
  EXPECT_EQ(parse(R"({"access_token": "a)").error(), Errc::invalid_token_response);
}

TEST(TokenResponse, ErrorsNeverCarryTheToken) {
  auto t = parse(R"({"access_token":"ya29.secret-value","token_type":"mac"})");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message().find("secret-value"), std::string::npos);
}

TEST(TokenResponse, ANon2xxIsTheProvidersError) {
  auto t = parse(R"({"error":"invalid_client","error_description":"The OAuth client was not found."})", 401);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error(), Errc::invalid_client);
}

TEST(TokenResponse, NotionsWorkspaceFieldsStayForIdentity) {
  auto t = parse_token_response<providers::Notion>(HttpResponse{
      200,
      {},
      R"({"access_token":"secret_x","token_type":"bearer","refresh_token":null,"bot_id":"b","workspace_id":"w","workspace_name":"W","workspace_icon":null,"owner":{"type":"workspace","workspace":true},"duplicated_template_id":null})"});
  ASSERT_TRUE(t);
  auto identity = providers::Notion::map_user_info(t->fields);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->workspace->id, "w");
  EXPECT_TRUE(identity->workspace->owned_by_workspace);
}

}  // namespace
}  // namespace oauth
