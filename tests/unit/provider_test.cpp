#include <oauth/provider.hpp>

#include "support/test_providers.hpp"

#include <gtest/gtest.h>

#include <array>

namespace {

struct Empty {};

struct NoMapping {
  static constexpr std::string_view name = "x";
  static constexpr std::string_view authorization_endpoint = "https://x.test/a";
  static constexpr std::string_view token_endpoint = "https://x.test/t";
  static constexpr oauth::ClientAuth token_auth = oauth::ClientAuth::basic;
  static constexpr oauth::BodyFormat token_body = oauth::BodyFormat::form;
  static constexpr bool supports_refresh = false;
  static constexpr bool rotates_refresh_token = false;
  static constexpr bool supports_pkce = false;
  static constexpr std::string_view scope_separator = " ";
  static constexpr std::array<oauth::Scope, 0> scopes{};
};

struct WithMapping : NoMapping {
  static oauth::Result<oauth::UserInfo> map_user_info(boost::json::object const&) noexcept { return oauth::UserInfo{}; }
};

struct HalfRevocation : WithMapping {
  static constexpr std::string_view revocation_endpoint = "https://x.test/r";  // but no revocation_style
};

struct MistypedUserinfo : WithMapping {
  static constexpr char const* userinfo_endpoint = "https://x.test/me";
};

TEST(ProviderConcept, TellsProvidersFromOtherTypes) {
  static_assert(oauth::Provider<oauth::test::Acme>);
  static_assert(oauth::Provider<oauth::test::StaticTokenProvider>);
  static_assert(oauth::Provider<WithMapping>);
  static_assert(!oauth::Provider<Empty>);
  static_assert(!oauth::Provider<NoMapping>);
  static_assert(!oauth::Provider<HalfRevocation>);
  static_assert(!oauth::Provider<MistypedUserinfo>);
  static_assert(!oauth::Provider<int>);
  SUCCEED();
}

TEST(ProviderConcept, CapabilitiesFollowTheTraits) {
  static_assert(oauth::Refreshable<oauth::test::Acme> && oauth::Revocable<oauth::test::Acme> &&
                oauth::Introspectable<oauth::test::Acme> && oauth::HasUserInfoEndpoint<oauth::test::Acme>);
  static_assert(!oauth::Refreshable<WithMapping> && !oauth::Revocable<WithMapping> &&
                !oauth::Introspectable<WithMapping> && !oauth::HasUserInfoEndpoint<WithMapping>);
  static_assert(!oauth::Refreshable<Empty>);
  EXPECT_TRUE(oauth::authorization_params<WithMapping>().empty());
  EXPECT_TRUE(oauth::request_headers<WithMapping>().empty());
}

}  // namespace
