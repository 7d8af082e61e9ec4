#ifndef OAUTH_PROVIDERS_GOOGLE_HPP
#define OAUTH_PROVIDERS_GOOGLE_HPP

#include <oauth/json_fields.hpp>
#include <oauth/provider.hpp>

#include <array>
#include <string_view>

namespace oauth::providers {

/// What every Google API shares: Google's accounts endpoints, client authentication,
/// refresh (never rotated) and revocation by query parameter.
struct GoogleAccounts {
  static constexpr std::string_view issuer = "https://accounts.google.com";
  // Google adds `iss` to authorization responses without announcing it in its metadata,
  // and not to every one: a wrong one is refused, a missing one is not.
  static constexpr bool authorization_response_iss_parameter_supported = false;
  static constexpr std::string_view authorization_endpoint = "https://accounts.google.com/o/oauth2/v2/auth";
  static constexpr std::string_view token_endpoint = "https://oauth2.googleapis.com/token";
  static constexpr std::string_view revocation_endpoint = "https://oauth2.googleapis.com/revoke";
  static constexpr RevocationStyle revocation_style = RevocationStyle::token_in_query;

  static constexpr ClientAuth token_auth = ClientAuth::request_body;
  static constexpr BodyFormat token_body = BodyFormat::form;
  // A refresh token is issued only with access_type=offline, and never rotated.
  static constexpr bool supports_refresh = true;
  static constexpr bool rotates_refresh_token = false;
  static constexpr bool supports_pkce = true;
  static constexpr auto authorization_params = std::array{Param{"access_type", "offline"}};
  // Added when an integrated user is asked for more: the new grant includes the old scopes.
  static constexpr Param incremental_authorization{"include_granted_scopes", "true"};

  static constexpr std::string_view scope_separator = " ";
  static constexpr std::string_view scope_prefix = "https://www.googleapis.com/auth/";

  // Google's APIs live on googleapis.com hosts (www., gmail., openidconnect., ...).
  static constexpr std::string_view api_base_url = "https://www.googleapis.com";
  static constexpr auto api_hosts = std::array<std::string_view, 1>{"googleapis.com"};
  static constexpr Pagination api_pagination = Pagination::google_page_token;
};

struct Google : GoogleAccounts {
  static constexpr std::string_view name = "google";
  static constexpr std::string_view userinfo_endpoint = "https://openidconnect.googleapis.com/v1/userinfo";

  static constexpr auto scopes = std::array{
      Scope{.name = "openid",
            .description = "Sign you in with your Google account",
            .category = ScopeCategory::read,
            .required = true},
      Scope{.name = "email",
            .description = "See your primary email address",
            .category = ScopeCategory::read,
            .required = true},
      Scope{.name = "profile",
            .description = "See your name and profile picture",
            .category = ScopeCategory::read,
            .required = true},
      Scope{.name = "https://www.googleapis.com/auth/calendar",
            .description = "See, edit, share and delete all your calendars",
            .category = ScopeCategory::admin,
            .set = "calendar",
            .dangerous = true},
      Scope{.name = "https://www.googleapis.com/auth/calendar.readonly",
            .description = "See and download your calendars",
            .category = ScopeCategory::read,
            .set = "calendar"},
      Scope{.name = "https://www.googleapis.com/auth/calendar.events",
            .description = "View and edit events on all your calendars",
            .category = ScopeCategory::write,
            .set = "calendar"},
      Scope{.name = "https://www.googleapis.com/auth/tasks",
            .description = "Create, edit, organize and delete all your tasks",
            .category = ScopeCategory::write,
            .set = "tasks"},
      Scope{.name = "https://www.googleapis.com/auth/tasks.readonly",
            .description = "View your tasks",
            .category = ScopeCategory::read,
            .set = "tasks"},
      Scope{.name = "https://www.googleapis.com/auth/drive",
            .description = "See, edit, create and delete all your Google Drive files",
            .category = ScopeCategory::admin,
            .set = "drive",
            .dangerous = true},
      Scope{.name = "https://www.googleapis.com/auth/drive.file",
            .description = "See and edit only the Drive files this app opens or creates",
            .category = ScopeCategory::write,
            .set = "drive"},
      Scope{.name = "https://www.googleapis.com/auth/drive.readonly",
            .description = "See and download all your Google Drive files",
            .category = ScopeCategory::read,
            .set = "drive"},
      Scope{.name = "https://www.googleapis.com/auth/gmail.readonly",
            .description = "Read your email messages and settings",
            .category = ScopeCategory::read,
            .set = "gmail",
            .dangerous = true},
      Scope{.name = "https://www.googleapis.com/auth/gmail.send",
            .description = "Send email on your behalf",
            .category = ScopeCategory::write,
            .set = "gmail",
            .dangerous = true},
      Scope{.name = "https://www.googleapis.com/auth/gmail.modify",
            .description = "Read, compose and send email, and change labels",
            .category = ScopeCategory::write,
            .set = "gmail",
            .dangerous = true},
      Scope{.name = "https://mail.google.com/",
            .description = "Read, compose, send and permanently delete all your email",
            .category = ScopeCategory::admin,
            .set = "gmail",
            .dangerous = true},
  };

  /// OpenID Connect userinfo; the legacy v2 shape (`id`, `verified_email`) is accepted too.
  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    JsonFields fields(json, "google userinfo", Errc::invalid_user_info);
    UserInfo info;
    info.account_id = fields.string(fields.has("sub") ? "sub" : "id");
    info.email = fields.optional_string("email");
    info.email_verified = fields.optional_bool(fields.has("email_verified") ? "email_verified" : "verified_email");
    info.name = fields.optional_string("name");
    info.picture = fields.optional_string("picture");
    return fields.finish(std::move(info));
  }
};

}  // namespace oauth::providers

#endif
