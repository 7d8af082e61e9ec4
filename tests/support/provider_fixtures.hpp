#ifndef OAUTH_TESTS_SUPPORT_PROVIDER_FIXTURES_HPP
#define OAUTH_TESTS_SUPPORT_PROVIDER_FIXTURES_HPP

// Identity answers in the shapes the real providers send (PROVIDERS.md), shared by the
// provider tests and, later, the mock provider servers.

#include "support/test_providers.hpp"

#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/youtube.hpp>

#include <string_view>

namespace oauth::test {

template <class P>
struct Fixture;

template <>
struct Fixture<providers::Google> {
  static constexpr std::string_view account_id = "110169484474386276334";
  static constexpr std::string_view identity = R"({
    "sub": "110169484474386276334", "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace",
    "picture": "https://lh3.googleusercontent.com/a/ada", "email": "ada@example.com", "email_verified": true,
    "locale": "en"})";
};

template <detail::meta::FixedString Tenant>
struct Fixture<providers::Microsoft<Tenant>> {
  static constexpr std::string_view account_id = "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA";
  static constexpr std::string_view identity = R"({
    "sub": "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA", "name": "Mary Ellis", "family_name": "Ellis",
    "given_name": "Mary", "picture": "https://graph.microsoft.com/v1.0/me/photo/$value",
    "email": "mary@contoso.com"})";
};

template <>
struct Fixture<providers::Notion> {
  static constexpr std::string_view account_id = "5c7b1d5e-8a2f-4f0e-9d44-0c0bb0b6a1a1";
  static constexpr std::string_view identity = R"({
    "access_token": "secret_notion_access", "token_type": "bearer", "refresh_token": "nrt_1",
    "bot_id": "b3c4d5e6-0000-4000-8000-000000000001", "workspace_id": "a1b2c3d4-0000-4000-8000-000000000002",
    "workspace_name": "Ada's Notes", "workspace_icon": "https://s3.notion.test/icon.png",
    "owner": {"type": "user", "user": {"object": "user", "id": "5c7b1d5e-8a2f-4f0e-9d44-0c0bb0b6a1a1",
      "name": "Ada Lovelace", "avatar_url": "https://s3.notion.test/ada.png", "type": "person",
      "person": {"email": "ada@example.com"}}},
    "duplicated_template_id": null, "request_id": "f1e2d3c4-0000-4000-8000-000000000003"})";
};

template <>
struct Fixture<providers::YouTube> {
  static constexpr std::string_view account_id = "UC_x5XG1OV2P6uZZ5FSM9Ttw";
  static constexpr std::string_view identity = R"({
    "kind": "youtube#channelListResponse", "etag": "e1", "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
    "items": [{"kind": "youtube#channel", "etag": "e2", "id": "UC_x5XG1OV2P6uZZ5FSM9Ttw",
      "snippet": {"title": "Google for Developers", "description": "", "customUrl": "@googledevelopers",
        "publishedAt": "2007-08-23T00:34:43Z",
        "thumbnails": {"default": {"url": "https://yt3.ggpht.test/default.jpg", "width": 88, "height": 88}}}}]})";
};

template <>
struct Fixture<Acme> {
  static constexpr std::string_view account_id = "u-42";
  static constexpr std::string_view identity = R"({"user_id": "u-42", "mail": "someone@acme.test"})";
};

template <>
struct Fixture<StaticTokenProvider> {
  static constexpr std::string_view account_id = "acct-1";
  static constexpr std::string_view identity = R"({"access_token": "t", "account": "acct-1"})";
};

}  // namespace oauth::test

#endif
