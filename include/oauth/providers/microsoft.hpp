#ifndef OAUTH_PROVIDERS_MICROSOFT_HPP
#define OAUTH_PROVIDERS_MICROSOFT_HPP

#include <oauth/detail/meta/fixed_string.hpp>
#include <oauth/detail/protocol/issuer.hpp>
#include <oauth/detail/provider/microsoft_tenant.hpp>
#include <oauth/json_fields.hpp>
#include <oauth/provider.hpp>

#include <array>
#include <string_view>

namespace oauth::providers {

/// Microsoft identity platform v2.0 and Graph. `Tenant` is `common`, `organizations`,
/// `consumers`, a tenant id or a verified domain.
template <detail::meta::FixedString Tenant = "common">
struct Microsoft {
  static_assert(detail::provider::is_microsoft_tenant(Tenant.view()),
                "oauth Microsoft<Tenant>: a tenant is letters, digits, '-' and '.' (common, organizations, "
                "consumers, a tenant id or domain)");

  static constexpr std::string_view name = "microsoft";
  static constexpr std::string_view tenant = Tenant.view();
  static constexpr std::string_view authorization_endpoint =
      detail::meta::concat<"https://login.microsoftonline.com/", Tenant, "/oauth2/v2.0/authorize">;
  static constexpr std::string_view token_endpoint =
      detail::meta::concat<"https://login.microsoftonline.com/", Tenant, "/oauth2/v2.0/token">;
  // The v2.0 issuer names the user's directory: known here for a tenant id, and for
  // personal accounts (consumers, whose directory id is fixed); for common, organizations
  // or a domain it is the template of Microsoft's own metadata, any directory id in it.
  static constexpr std::string_view issuer =
      Tenant.view() == "consumers"
          ? std::string_view("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0")
      : detail::authorization_response::is_directory_id(Tenant.view())
          ? detail::meta::concat<"https://login.microsoftonline.com/", Tenant, "/v2.0">
          : std::string_view("https://login.microsoftonline.com/{tenantid}/v2.0");
  static constexpr bool authorization_response_iss_parameter_supported = false;
  static constexpr std::string_view userinfo_endpoint = "https://graph.microsoft.com/oidc/userinfo";
  static constexpr std::string_view api_base_url = "https://graph.microsoft.com";
  static constexpr auto api_hosts = std::array<std::string_view, 1>{"graph.microsoft.com"};
  static constexpr Pagination api_pagination = Pagination::odata_next_link;
  // No RFC 7009 revocation: disconnecting deletes the local tokens.

  static constexpr ClientAuth token_auth = ClientAuth::request_body;
  static constexpr BodyFormat token_body = BodyFormat::form;
  // Refresh needs offline_access, and every refresh returns a new refresh token.
  static constexpr bool supports_refresh = true;
  static constexpr bool rotates_refresh_token = true;
  static constexpr bool supports_pkce = true;
  static constexpr auto authorization_params = std::array{Param{"response_mode", "query"}};

  static constexpr std::string_view scope_separator = " ";
  // A bare name means a Graph permission.
  static constexpr std::string_view scope_prefix = "https://graph.microsoft.com/";

  static constexpr auto scopes = std::array{
      Scope{.name = "openid", .description = "Sign you in", .category = ScopeCategory::read, .required = true},
      Scope{.name = "profile",
            .description = "See your basic profile",
            .category = ScopeCategory::read,
            .required = true},
      Scope{
          .name = "email", .description = "View your email address", .category = ScopeCategory::read, .required = true},
      Scope{.name = "offline_access",
            .description = "Keep access to data you have given it access to",
            .category = ScopeCategory::read,
            .required = true},
      Scope{.name = "User.Read",
            .description = "Sign you in and read your profile",
            .category = ScopeCategory::read,
            .set = "profile"},
      Scope{.name = "Calendars.ReadWrite",
            .description = "Have full access to your calendars",
            .category = ScopeCategory::write,
            .set = "calendars"},
      Scope{.name = "Files.ReadWrite",
            .description = "Have full access to your files",
            .category = ScopeCategory::write,
            .set = "files",
            .dangerous = true},
      Scope{.name = "Mail.Read",
            .description = "Read your mail",
            .category = ScopeCategory::read,
            .set = "mail",
            .dangerous = true},
      Scope{.name = "Team.ReadBasic.All",
            .description = "Read the names and descriptions of your teams",
            .category = ScopeCategory::read,
            .set = "teams"},
      Scope{.name = "Sites.Read.All",
            .description = "Read items in all site collections",
            .category = ScopeCategory::read,
            .set = "sites"},
      Scope{.name = "Sites.ReadWrite.All",
            .description = "Edit or delete items in all site collections",
            .category = ScopeCategory::admin,
            .set = "sites",
            .dangerous = true},
  };

  /// Graph's OIDC userinfo: `sub` (pairwise per application), name, email, picture.
  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    JsonFields fields(json, "microsoft userinfo", Errc::invalid_user_info);
    UserInfo info;
    info.account_id = fields.string("sub");
    info.email = fields.optional_string("email");
    info.name = fields.optional_string("name");
    info.picture = fields.optional_string("picture");
    return fields.finish(std::move(info));
  }
};

}  // namespace oauth::providers

#endif
