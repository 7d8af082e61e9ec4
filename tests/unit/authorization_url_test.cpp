#include "support/test_providers.hpp"

#include <oauth/crypto/pkce.hpp>
#include <oauth/crypto/state.hpp>
#include <oauth/protocol/authorization_url.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <gtest/gtest.h>

#include <map>

namespace {

using oauth::providers::Google;
using oauth::providers::Microsoft;
using oauth::providers::Notion;

/// The URL's query, decoded as a browser would send it to the provider.
std::multimap<std::string, std::string> query_of(std::string const& url) {
  auto view = boost::urls::parse_uri(url).value();
  std::multimap<std::string, std::string> params;
  for (auto const& p : view.params()) params.emplace(p.key, p.value);
  return params;
}

std::string endpoint_of(std::string const& url) { return url.substr(0, url.find('?')); }

oauth::AuthorizationRequest request_with(std::vector<std::string_view> scopes,
                                         std::optional<std::string_view> challenge) {
  return {"client-123", "https://app.example/oauth/callback", std::move(scopes), "state-abc", challenge, {}};
}

TEST(AuthorizationUrl, GoogleAsksForOfflineAccessWithPkce) {
  auto pkce = oauth::crypto::make_pkce().value();
  auto url = oauth::authorization_url<Google>(request_with({"calendar.readonly"}, pkce.challenge)).value();
  EXPECT_EQ(endpoint_of(url), "https://accounts.google.com/o/oauth2/v2/auth");
  auto q = query_of(url);
  EXPECT_EQ(q.find("response_type")->second, "code");
  EXPECT_EQ(q.find("client_id")->second, "client-123");
  EXPECT_EQ(q.find("redirect_uri")->second, "https://app.example/oauth/callback");
  EXPECT_EQ(q.find("scope")->second, "openid email profile https://www.googleapis.com/auth/calendar.readonly");
  EXPECT_EQ(q.find("state")->second, "state-abc");
  EXPECT_EQ(q.find("code_challenge")->second, pkce.challenge);
  EXPECT_EQ(q.find("code_challenge_method")->second, "S256");
  EXPECT_EQ(q.find("access_type")->second, "offline");
  EXPECT_EQ(q.count("access_type"), 1u);
}

TEST(AuthorizationUrl, MicrosoftNamesTheTenantInThePath) {
  using Contoso = Microsoft<"contoso.onmicrosoft.com">;
  auto url = oauth::authorization_url<Contoso>(request_with({"Mail.Read"}, "challenge")).value();
  EXPECT_EQ(endpoint_of(url), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize");
  auto q = query_of(url);
  EXPECT_EQ(q.find("scope")->second, "openid profile email offline_access Mail.Read");
  EXPECT_EQ(q.find("response_mode")->second, "query");
  EXPECT_EQ(endpoint_of(oauth::authorization_url<Microsoft<>>(request_with({}, "c")).value()),
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
}

TEST(AuthorizationUrl, NotionAsksForTheUserOwnerAndNoScopeOrPkce) {
  auto url = oauth::authorization_url<Notion>(request_with({}, std::nullopt)).value();
  EXPECT_EQ(endpoint_of(url), "https://api.notion.com/v1/oauth/authorize");
  auto q = query_of(url);
  EXPECT_EQ(q.find("owner")->second, "user");
  EXPECT_EQ(q.count("scope"), 0u);
  EXPECT_EQ(q.count("code_challenge"), 0u);
}

TEST(AuthorizationUrl, PkceIsRequiredWhereSupportedAndRefusedWhereNot) {
  EXPECT_EQ(oauth::authorization_url<Google>(request_with({}, std::nullopt)).error(), oauth::Errc::pkce_required);
  EXPECT_EQ(oauth::authorization_url<Google>(request_with({}, "")).error(), oauth::Errc::pkce_required);
  EXPECT_EQ(oauth::authorization_url<Notion>(request_with({}, "challenge")).error(), oauth::Errc::pkce_unsupported);
}

TEST(AuthorizationUrl, EndpointsWithAQueryKeepIt) {
  auto url = oauth::authorization_url<oauth::test::Acme>(request_with({"orders:read"}, "c")).value();
  auto q = query_of(url);
  EXPECT_EQ(q.find("tenant")->second, "t1");
  EXPECT_EQ(q.find("scope")->second, "profile,orders:read");
}

TEST(AuthorizationUrl, ExtraParametersAddToOrReplaceTheProvidersOwn) {
  auto request = request_with({}, "c");
  request.extra_params = {{"access_type", "online"}, {"include_granted_scopes", "true"}, {"login_hint", "a b@x.org"}};
  auto q = query_of(oauth::authorization_url<Google>(request).value());
  EXPECT_EQ(q.count("access_type"), 1u);
  EXPECT_EQ(q.find("access_type")->second, "online");
  EXPECT_EQ(q.find("include_granted_scopes")->second, "true");
  EXPECT_EQ(q.find("login_hint")->second, "a b@x.org");

  request.extra_params = {{"state", "mine"}};
  EXPECT_EQ(oauth::authorization_url<Google>(request).error(), oauth::Errc::invalid_argument);
}

// RFC 9700 section 2.1.1: S256 always, never plain, whatever the caller adds.
TEST(AuthorizationUrl, PkceIsAlwaysS256AndPlainCannotBeAskedFor) {
  auto const pkce = oauth::crypto::make_pkce().value();
  auto check = [&]<class P>(std::type_identity<P>) {
    auto request = request_with({}, pkce.challenge);
    auto q = query_of(oauth::authorization_url<P>(request).value());
    EXPECT_EQ(q.count("code_challenge_method"), 1u) << P::name;
    EXPECT_EQ(q.find("code_challenge_method")->second, "S256") << P::name;
    EXPECT_EQ(q.find("code_challenge")->second, oauth::crypto::code_challenge_s256(pkce.verifier).value()) << P::name;
    for (auto const& [name, value] : {std::pair{"code_challenge_method", "plain"}, std::pair{"code_challenge", "x"}}) {
      request.extra_params = {{name, value}};
      EXPECT_EQ(oauth::authorization_url<P>(request).error(), oauth::Errc::invalid_argument) << P::name << " " << name;
    }
  };
  check(std::type_identity<Google>{});
  check(std::type_identity<Microsoft<>>{});
}

TEST(AuthorizationUrl, IncompleteOrUnknownRequestsAreRefused) {
  auto request = request_with({}, "c");
  request.state = "";
  EXPECT_EQ(oauth::authorization_url<Google>(request).error(), oauth::Errc::invalid_argument);
  EXPECT_EQ(oauth::authorization_url<Google>(request_with({"calendar.everything"}, "c")).error(),
            oauth::Errc::unknown_scope);
}

TEST(AuthorizationUrl, ARequestNamesOnlyWhatItNeeds) {
  // Designated initializers leave the rest defaulted, without -Wextra warnings.
  auto url = oauth::authorization_url<Notion>({.client_id = "c", .redirect_uri = "https://a.example/cb", .state = "s"});
  ASSERT_TRUE(url) << url.error().message();
  EXPECT_EQ(query_of(*url).find("client_id")->second, "c");
}

}  // namespace
