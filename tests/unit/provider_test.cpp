#include "support/minimal_provider.hpp"
#include "support/test_providers.hpp"

#include <oauth/provider.hpp>

#include <gtest/gtest.h>

namespace {

using oauth::test::MinimalProvider;

struct Empty {};

struct ThrowingMapping : MinimalProvider {
  static oauth::Result<oauth::UserInfo> map_user_info(boost::json::object const&) { return oauth::UserInfo{}; }
};

struct HalfRevocation : MinimalProvider {
  static constexpr std::string_view revocation_endpoint = "https://x.test/r";  // but no revocation_style
};

struct MistypedUserinfo : MinimalProvider {
  static constexpr char const* userinfo_endpoint = "https://x.test/me";
};

TEST(ProviderConcept, TellsProvidersFromOtherTypes) {
  static_assert(oauth::Provider<oauth::test::Acme>);
  static_assert(oauth::Provider<oauth::test::StaticTokenProvider>);
  static_assert(oauth::Provider<MinimalProvider>);
  static_assert(!oauth::Provider<oauth::test::ProviderWithoutTokenEndpoint>);
  static_assert(!oauth::Provider<Empty>);
  static_assert(!oauth::Provider<ThrowingMapping>);
  static_assert(!oauth::Provider<HalfRevocation>);
  static_assert(!oauth::Provider<MistypedUserinfo>);
  static_assert(!oauth::Provider<int>);
  SUCCEED();
}

TEST(ProviderConcept, CapabilitiesFollowTheTraits) {
  static_assert(oauth::Refreshable<oauth::test::Acme> && oauth::Revocable<oauth::test::Acme> &&
                oauth::Introspectable<oauth::test::Acme> && oauth::HasUserInfoEndpoint<oauth::test::Acme>);
  static_assert(!oauth::Refreshable<MinimalProvider> && !oauth::Revocable<MinimalProvider> &&
                !oauth::Introspectable<MinimalProvider> && !oauth::HasUserInfoEndpoint<MinimalProvider>);
  static_assert(!oauth::Refreshable<Empty>);
  EXPECT_TRUE(oauth::authorization_params<MinimalProvider>().empty());
  EXPECT_TRUE(oauth::request_headers<MinimalProvider>().empty());
}

}  // namespace
