#include "support/test_providers.hpp"

#include <oauth/detail/encoding/base64.hpp>
#include <oauth/protocol/endpoint_request.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/youtube.hpp>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <gtest/gtest.h>

#include <map>

namespace {

using namespace oauth::providers;

oauth::ClientCredentials const client{"client id", oauth::ClientSecret{"s3cr:t"}};

std::map<std::string, std::string> form_of(std::string const& body) {
  auto const url = "http://x/?" + body;
  auto view = boost::urls::parse_uri(url).value();
  std::map<std::string, std::string> params;
  for (auto const& p : view.params()) params.emplace(p.key, p.value);
  return params;
}

std::string basic_credentials(oauth::EndpointRequest const& request) {
  auto header = std::string(request.header("Authorization"));
  EXPECT_TRUE(header.starts_with("Basic "));
  return oauth::detail::encoding::base64_decode(header.substr(6), oauth::detail::encoding::Alphabet::standard)
      .value_or("");
}

TEST(TokenRequest, GoogleSendsAFormWithTheClientInTheBody) {
  auto verifier = oauth::CodeVerifier{"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"};
  auto request = oauth::authorization_code_request<Google>(client, oauth::AuthorizationCode{"4/0Ab-code"},
                                                           "https://app.example/cb", &verifier);
  EXPECT_EQ(request.url, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(request.header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request.header("Accept"), "application/json");
  EXPECT_EQ(request.header("Authorization"), "");
  auto form = form_of(request.body);
  EXPECT_EQ(form["grant_type"], "authorization_code");
  EXPECT_EQ(form["code"], "4/0Ab-code");
  EXPECT_EQ(form["redirect_uri"], "https://app.example/cb");
  EXPECT_EQ(form["code_verifier"], "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  EXPECT_EQ(form["client_id"], "client id");
  EXPECT_EQ(form["client_secret"], "s3cr:t");
}

TEST(TokenRequest, NotionSendsJsonWithBasicAuthAndItsVersion) {
  auto request =
      oauth::authorization_code_request<Notion>(client, oauth::AuthorizationCode{"code-1"}, "https://app.example/cb");
  EXPECT_EQ(request.url, "https://api.notion.com/v1/oauth/token");
  EXPECT_EQ(request.header("Content-Type"), "application/json");
  EXPECT_EQ(request.header("Notion-Version"), "2025-09-03");
  // RFC 6749 section 2.3.1: id and secret are form-encoded before Basic.
  EXPECT_EQ(basic_credentials(request), "client+id:s3cr%3At");
  auto body = boost::json::parse(request.body).as_object();
  EXPECT_EQ(body.at("grant_type").as_string(), "authorization_code");
  EXPECT_EQ(body.at("code").as_string(), "code-1");
  EXPECT_EQ(body.at("redirect_uri").as_string(), "https://app.example/cb");
  EXPECT_EQ(body.size(), 3u);
}

TEST(TokenRequest, RefreshCarriesTheRefreshTokenTheProvidersWay) {
  auto google = oauth::refresh_request<Google>(client, oauth::RefreshToken{"1//0g-refresh"});
  EXPECT_EQ(form_of(google.body)["grant_type"], "refresh_token");
  EXPECT_EQ(form_of(google.body)["refresh_token"], "1//0g-refresh");
  EXPECT_EQ(form_of(google.body)["client_secret"], "s3cr:t");

  auto microsoft = oauth::refresh_request<Microsoft<"organizations">>(client, oauth::RefreshToken{"M.R3_BAY"});
  EXPECT_EQ(microsoft.url, "https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
  EXPECT_EQ(form_of(microsoft.body)["refresh_token"], "M.R3_BAY");

  auto notion = oauth::refresh_request<Notion>(client, oauth::RefreshToken{"nrt"});
  auto body = boost::json::parse(notion.body).as_object();
  EXPECT_EQ(body.at("grant_type").as_string(), "refresh_token");
  EXPECT_EQ(body.at("refresh_token").as_string(), "nrt");
  EXPECT_FALSE(body.contains("client_secret"));
}

TEST(RevocationRequest, GooglePutsTheTokenInTheQueryWithoutClientAuth) {
  for (auto const& request :
       {oauth::revocation_request<Google>(client, "ya29.a+b", oauth::TokenTypeHint::access_token),
        oauth::revocation_request<YouTube>(client, "ya29.a+b", oauth::TokenTypeHint::access_token)}) {
    EXPECT_EQ(request.url, "https://oauth2.googleapis.com/revoke?token=ya29.a%2Bb");
    EXPECT_EQ(request.body, "");
    EXPECT_EQ(request.header("Authorization"), "");
    EXPECT_EQ(request.header("Content-Type"), "application/x-www-form-urlencoded");
  }
}

TEST(RevocationRequest, NotionSendsJsonAndBasicAuth) {
  auto request = oauth::revocation_request<Notion>(client, "secret_tok", oauth::TokenTypeHint::access_token);
  EXPECT_EQ(request.url, "https://api.notion.com/v1/oauth/revoke");
  EXPECT_EQ(basic_credentials(request), "client+id:s3cr%3At");
  EXPECT_EQ(request.header("Notion-Version"), "2025-09-03");
  EXPECT_EQ(boost::json::parse(request.body), boost::json::parse(R"({"token":"secret_tok"})"));
}

TEST(RevocationRequest, Rfc7009FormCarriesTheTokenTypeHint) {
  auto request = oauth::revocation_request<oauth::test::Acme>(client, "rt", oauth::TokenTypeHint::refresh_token);
  auto form = form_of(request.body);
  EXPECT_EQ(form["token"], "rt");
  EXPECT_EQ(form["token_type_hint"], "refresh_token");
  EXPECT_EQ(basic_credentials(request), "client+id:s3cr%3At");
}

TEST(IntrospectionRequest, NotionAsksAboutOneToken) {
  auto request = oauth::introspection_request<Notion>(client, "secret_tok");
  EXPECT_EQ(request.url, "https://api.notion.com/v1/oauth/introspect");
  EXPECT_EQ(boost::json::parse(request.body), boost::json::parse(R"({"token":"secret_tok"})"));
}

// A capability the provider lacks has no code at all: the call is not even well formed.
template <class P>
concept can_build_revocation = requires(oauth::ClientCredentials const& c) {
  oauth::revocation_request<P>(c, "t", oauth::TokenTypeHint::access_token);
};
template <class P>
concept can_build_refresh = requires(oauth::ClientCredentials const& c, oauth::RefreshToken const& t) {
  oauth::refresh_request<P>(c, t);
};
template <class P>
concept can_build_introspection = requires(oauth::ClientCredentials const& c) {
  oauth::introspection_request<P>(c, "t");
};

TEST(Capabilities, MissingCapabilitiesHaveNoRequestBuilder) {
  static_assert(can_build_revocation<Google> && can_build_revocation<YouTube> && can_build_revocation<Notion>);
  static_assert(!can_build_revocation<Microsoft<>>);
  static_assert(can_build_refresh<Google> && can_build_refresh<Microsoft<>> && can_build_refresh<Notion>);
  static_assert(!can_build_refresh<oauth::test::StaticTokenProvider>);
  static_assert(!can_build_revocation<oauth::test::StaticTokenProvider>);
  static_assert(can_build_introspection<Notion> && !can_build_introspection<Google>);
  SUCCEED();
}

}  // namespace
