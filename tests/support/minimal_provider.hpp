#ifndef OAUTH_TESTS_SUPPORT_MINIMAL_PROVIDER_HPP
#define OAUTH_TESTS_SUPPORT_MINIMAL_PROVIDER_HPP

// The smallest valid provider, for tests that break it one member at a time: a derived
// struct replaces a member by declaring its own, and ProviderWithoutTokenEndpoint lacks one.

#include <oauth/provider.hpp>

#include <array>
#include <string_view>

namespace oauth::test {

struct ProviderWithoutTokenEndpoint {
  static constexpr std::string_view name = "minimal";
  static constexpr std::string_view authorization_endpoint = "https://minimal.test/authorize";
  static constexpr ClientAuth token_auth = ClientAuth::request_body;
  static constexpr BodyFormat token_body = BodyFormat::form;
  static constexpr bool supports_refresh = false;
  static constexpr bool rotates_refresh_token = false;
  static constexpr bool supports_pkce = false;
  static constexpr std::string_view scope_separator = " ";
  static constexpr std::array<Scope, 0> scopes{};
  static Result<UserInfo> map_user_info(boost::json::object const&) noexcept { return UserInfo{"someone"}; }
};

struct MinimalProvider : ProviderWithoutTokenEndpoint {
  static constexpr std::string_view token_endpoint = "https://minimal.test/token";
};

}  // namespace oauth::test

#endif
