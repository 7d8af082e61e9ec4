#include <oauth/protocol/authorization_url.hpp>
#include <oauth/protocol/endpoint_request.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/protocol/token_response.hpp>
#include <oauth/provider_profile.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/scope_catalogue.hpp>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace {

using oauth::providers::Google;
using oauth::providers::Microsoft;
using oauth::providers::Notion;

oauth::Result<oauth::UserInfo> subject_of(boost::json::object const& json) noexcept {
  oauth::UserInfo info;
  if (auto const* sub = json.if_contains("sub"); sub != nullptr && sub->is_string())
    info.account_id = std::string(sub->get_string());
  return info;
}

constexpr auto runtime_scopes = std::array{
    oauth::Scope{.name = "openid", .description = "Sign you in", .required = true},
    oauth::Scope{.name = "api:read", .description = "Read your data", .set = "api"},
};

// A provider its application learns of at run time: no traits struct anywhere.
oauth::ProviderProfile runtime_provider() {
  return {.name = "keycloak",
          .authorization_endpoint = "https://id.example.test/auth?realm=r",
          .token_endpoint = "https://id.example.test/token",
          .token_auth = oauth::ClientAuth::basic,
          .token_body = oauth::BodyFormat::form,
          .supports_refresh = true,
          .supports_pkce = true,
          .scope_separator = " ",
          .scopes = runtime_scopes,
          .map_user_info = &subject_of,
          .revocation_endpoint = "https://id.example.test/revoke"};
}

TEST(ProviderProfile, HoldsTheTraitsAsValues) {
  constexpr auto const& google = oauth::provider_profile<Google>;
  static_assert(google.name == "google" && google.supports_refresh && google.supports_pkce);
  static_assert(google.revocation_style == oauth::RevocationStyle::token_in_query);
  static_assert(google.scope_prefix && google.api_hosts->size() == Google::api_hosts.size());
  static_assert(google.validation_endpoint == google.userinfo_endpoint);
  constexpr auto const& notion = oauth::provider_profile<Notion>;
  static_assert(!notion.userinfo_endpoint && notion.validation_endpoint && notion.api_rate_limit.per_second > 0);
  static_assert(!notion.supports_pkce && notion.token_body == oauth::BodyFormat::json);
  static_assert(oauth::provider_profile<Microsoft<>>.api_hosts->size() == Microsoft<>::api_hosts.size());
  EXPECT_EQ(google.scopes.size(), Google::scopes.size());
  EXPECT_EQ(&oauth::provider_profile<Google>, &google);  // one object, wherever it is named
}

TEST(ProviderProfile, TypedAndRuntimeFormsBuildTheSameRequests) {
  oauth::AuthorizationRequest request{.client_id = "c",
                                      .redirect_uri = "https://app.test/cb",
                                      .scopes = {"calendar.readonly"},
                                      .state = "s",
                                      .code_challenge = "challenge"};
  EXPECT_EQ(oauth::authorization_url<Google>(request).value(),
            oauth::authorization_url(oauth::provider_profile<Google>, request).value());

  oauth::ClientCredentials const client{"id", oauth::ClientSecret("secret")};
  auto const typed = oauth::refresh_request<Notion>(client, oauth::RefreshToken("r"));
  auto const runtime = oauth::refresh_request(oauth::provider_profile<Notion>, client, oauth::RefreshToken("r"));
  EXPECT_EQ(typed.url, runtime.url);
  EXPECT_EQ(typed.body, runtime.body);
  EXPECT_EQ(typed.headers, runtime.headers);
}

TEST(ProviderProfile, RunsAProviderKnownOnlyAtRunTime) {
  auto const provider = runtime_provider();
  oauth::AuthorizationRequest request{.client_id = "c",
                                      .redirect_uri = "https://app.test/cb",
                                      .scopes = {"api:read"},
                                      .state = "s",
                                      .code_challenge = "challenge"};
  auto url = oauth::authorization_url(provider, request).value();
  EXPECT_TRUE(url.starts_with("https://id.example.test/auth?realm=r&response_type=code&"));
  EXPECT_NE(url.find("scope=openid+api%3Aread"), std::string::npos);
  EXPECT_NE(url.find("code_challenge_method=S256"), std::string::npos);

  request.code_challenge.reset();
  EXPECT_EQ(oauth::authorization_url(provider, request).error(), oauth::Errc::pkce_required);
  std::vector<std::string_view> const unknown{"api:write"};
  EXPECT_EQ(oauth::resolve_scopes(provider, unknown).error(), oauth::Errc::unknown_scope);

  oauth::ClientCredentials const client{"id", oauth::ClientSecret("secret")};
  auto revoke = oauth::revocation_request(provider, client, "tok", oauth::TokenTypeHint::refresh_token);
  EXPECT_EQ(revoke.url, "https://id.example.test/revoke");
  EXPECT_EQ(revoke.body, "token=tok&token_type_hint=refresh_token");
  EXPECT_EQ(revoke.header("Authorization"), "Basic aWQ6c2VjcmV0");

  oauth::HttpResponse refused{400, {}, R"({"error":"invalid_grant","error_description":"expired"})"};
  auto parsed = oauth::parse_token_response(provider.name, refused, "refresh");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), oauth::Errc::invalid_grant);
  EXPECT_EQ(parsed.error().provider, "keycloak");

  auto info = provider.map_user_info(boost::json::object{{"sub", "u-1"}});
  EXPECT_EQ(info.value().account_id, "u-1");
}

}  // namespace
