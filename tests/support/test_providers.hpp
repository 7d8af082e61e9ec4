#ifndef OAUTH_TESTS_SUPPORT_TEST_PROVIDERS_HPP
#define OAUTH_TESTS_SUPPORT_TEST_PROVIDERS_HPP

// Providers written as a user of the library would write them: traits structs of their
// own, with nothing from oauth::providers.

#include <oauth/json_fields.hpp>
#include <oauth/provider.hpp>

#include <array>
#include <string_view>

namespace oauth::test {

/// A standards-minded provider: Basic client auth, RFC 7009 revocation, RFC 7662
/// introspection, comma-separated scopes.
struct Acme {
  static constexpr std::string_view name = "acme";
  static constexpr std::string_view authorization_endpoint = "https://id.acme.test/authorize?tenant=t1";
  static constexpr std::string_view token_endpoint = "https://id.acme.test/token";
  static constexpr std::string_view revocation_endpoint = "https://id.acme.test/revoke";
  static constexpr RevocationStyle revocation_style = RevocationStyle::rfc7009;
  static constexpr std::string_view introspection_endpoint = "https://id.acme.test/introspect";
  static constexpr std::string_view userinfo_endpoint = "https://id.acme.test/me";
  static constexpr ClientAuth token_auth = ClientAuth::basic;
  static constexpr BodyFormat token_body = BodyFormat::form;
  static constexpr bool supports_refresh = true;
  static constexpr bool rotates_refresh_token = true;
  static constexpr bool supports_pkce = true;
  static constexpr std::string_view scope_separator = ",";
  static constexpr auto scopes = std::array{
      Scope{.name = "profile", .description = "Your profile", .category = ScopeCategory::read, .required = true},
      Scope{.name = "orders:read", .description = "See your orders", .category = ScopeCategory::read, .set = "orders"},
      Scope{.name = "orders:write",
            .description = "Place and cancel orders",
            .category = ScopeCategory::write,
            .set = "orders",
            .dangerous = true},
  };

  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    JsonFields fields(json, "acme profile", Errc::invalid_user_info);
    UserInfo info;
    info.account_id = fields.string("user_id");
    info.email = fields.optional_string("mail");
    return fields.finish(std::move(info));
  }
};

/// The least a provider can be: long-lived tokens, no refresh, no revocation, no PKCE.
struct StaticTokenProvider {
  static constexpr std::string_view name = "static";
  static constexpr std::string_view authorization_endpoint = "https://static.test/authorize";
  static constexpr std::string_view token_endpoint = "https://static.test/token";
  static constexpr ClientAuth token_auth = ClientAuth::request_body;
  static constexpr BodyFormat token_body = BodyFormat::json;
  static constexpr bool supports_refresh = false;
  static constexpr bool rotates_refresh_token = false;
  static constexpr bool supports_pkce = false;
  static constexpr std::string_view scope_separator = " ";
  static constexpr std::array<Scope, 0> scopes{};

  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    JsonFields fields(json, "static token response", Errc::invalid_user_info);
    UserInfo info;
    info.account_id = fields.string("account");
    return fields.finish(std::move(info));
  }
};

}  // namespace oauth::test

#endif
