// Properties every provider must have, run over each built-in provider and the custom
// ones the tests define (jwt-cpp's typed tests over every traits type).

#include "support/provider_fixtures.hpp"
#include "support/test_providers.hpp"

#include <oauth/protocol/authorization_url.hpp>
#include <oauth/provider.hpp>
#include <oauth/providers/all.hpp>
#include <oauth/scope_catalogue.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <gtest/gtest.h>

#include <set>

namespace {

template <class P>
class ProviderTraits : public ::testing::Test {};

// The built-in providers, a Microsoft of one tenant, and the test suite's own.
using AllProviders =
    oauth::providers::Builtin::with<oauth::providers::Microsoft<"11111111-2222-3333-4444-555555555555">,
                                    oauth::test::Acme, oauth::test::StaticTokenProvider>::apply<::testing::Types>;
TYPED_TEST_SUITE(ProviderTraits, AllProviders);

void expect_https_endpoint(std::string_view endpoint) {
  auto url = boost::urls::parse_absolute_uri(endpoint);
  ASSERT_TRUE(url) << endpoint;
  EXPECT_EQ(url->scheme(), "https") << endpoint;
  EXPECT_FALSE(url->host().empty()) << endpoint;
  EXPECT_FALSE(url->has_fragment()) << endpoint;
}

TYPED_TEST(ProviderTraits, SatisfiesTheProviderConcept) {
  static_assert(oauth::Provider<TypeParam>);
  static_assert(oauth::verify_provider<TypeParam>);
  EXPECT_FALSE(TypeParam::name.empty());
}

TYPED_TEST(ProviderTraits, EveryEndpointIsAbsoluteHttps) {
  expect_https_endpoint(TypeParam::authorization_endpoint);
  expect_https_endpoint(TypeParam::token_endpoint);
  if constexpr (oauth::Revocable<TypeParam>) expect_https_endpoint(TypeParam::revocation_endpoint);
  if constexpr (oauth::Introspectable<TypeParam>) expect_https_endpoint(TypeParam::introspection_endpoint);
  if constexpr (oauth::HasUserInfoEndpoint<TypeParam>) expect_https_endpoint(TypeParam::userinfo_endpoint);
}

TYPED_TEST(ProviderTraits, RotationImpliesRefresh) {
  EXPECT_TRUE(!TypeParam::rotates_refresh_token || TypeParam::supports_refresh);
}

TYPED_TEST(ProviderTraits, CatalogueIsWellFormed) {
  std::set<std::string_view> names;
  for (auto const& scope : TypeParam::scopes) {
    SCOPED_TRACE(scope.name);
    EXPECT_TRUE(names.insert(scope.name).second) << "listed twice";
    EXPECT_FALSE(scope.description.empty());
    EXPECT_EQ(scope.name.find_first_of(" \t\r\n"), std::string_view::npos);
    EXPECT_EQ(scope.name.find(TypeParam::scope_separator), std::string_view::npos);
    EXPECT_FALSE(scope.required && scope.dangerous) << "a required scope cannot be dangerous";
    EXPECT_EQ(oauth::find_scope<TypeParam>(scope.name), &scope);
  }
}

TYPED_TEST(ProviderTraits, BuildsAnAuthorizationUrlWithItsRequiredScopes) {
  oauth::AuthorizationRequest request{"client", "https://app.example/cb", {}, "state", std::nullopt, {}};
  if constexpr (TypeParam::supports_pkce) request.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  auto url = oauth::authorization_url<TypeParam>(request);
  ASSERT_TRUE(url) << url.error().message();
  EXPECT_TRUE(url->starts_with(TypeParam::authorization_endpoint));
  for (auto const& scope : TypeParam::scopes) {
    if (scope.required) {
      EXPECT_NE(url->find(oauth::detail::encoding::form_urlencode(scope.name)), std::string::npos);
    }
  }
}

TYPED_TEST(ProviderTraits, MapsItsRealShapeOfIdentity) {
  auto info = TypeParam::map_user_info(boost::json::parse(oauth::test::Fixture<TypeParam>::identity).as_object());
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->account_id, oauth::test::Fixture<TypeParam>::account_id);
}

TYPED_TEST(ProviderTraits, AnEmptyAnswerIsAnErrorNotAnException) {
  auto info = TypeParam::map_user_info(boost::json::object{});
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error(), oauth::Errc::invalid_user_info);
}

// Every string of the real answer, one at a time, replaced by a number, an array and an
// object: the mapping either reports that field by name or ignored it altogether (the
// identity is unchanged), and it never throws.
TYPED_TEST(ProviderTraits, MistypedFieldsAreReportedOrIgnoredNeverMisread) {
  auto const original = boost::json::parse(oauth::test::Fixture<TypeParam>::identity);
  auto const expected = TypeParam::map_user_info(original.as_object()).value();
  auto strings_of = [](boost::json::value& root) {
    std::vector<std::pair<std::string, boost::json::value*>> found;
    auto walk = [&](auto& self, boost::json::value& v, std::string const& path) -> void {
      if (v.is_string()) found.emplace_back(path, &v);
      if (v.is_object())
        for (auto& [key, child] : v.as_object()) self(self, child, path + "." + std::string(key));
      if (v.is_array())
        for (std::size_t i = 0; i < v.as_array().size(); ++i)
          self(self, v.as_array()[i], path + "[" + std::to_string(i) + "]");
    };
    walk(walk, root, "");
    return found;
  };
  auto probe = original;
  auto const count = strings_of(probe).size();
  ASSERT_GT(count, 0u);
  for (boost::json::value const& replacement :
       {boost::json::value(42), boost::json::value(boost::json::array{}), boost::json::value(boost::json::object{})}) {
    for (std::size_t i = 0; i < count; ++i) {
      auto mutated = original;
      auto fields = strings_of(mutated);
      *fields[i].second = replacement;
      SCOPED_TRACE(fields[i].first + " = " + boost::json::serialize(replacement));
      auto info = TypeParam::map_user_info(mutated.as_object());
      if (info) {
        // The one field that copies the answer verbatim (Notion's owner) is left out.
        if (info->workspace) info->workspace->owner_json = expected.workspace->owner_json;
        EXPECT_EQ(*info, expected);
      } else {
        EXPECT_EQ(info.error(), oauth::Errc::invalid_user_info);
        auto const key = fields[i].first.substr(fields[i].first.rfind('.') + 1);
        EXPECT_NE(info.error().description.find(key.substr(0, key.find('['))), std::string::npos)
            << info.error().description;
      }
    }
  }
}

}  // namespace
