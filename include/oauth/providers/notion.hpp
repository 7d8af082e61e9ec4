#ifndef OAUTH_PROVIDERS_NOTION_HPP
#define OAUTH_PROVIDERS_NOTION_HPP

#include <oauth/detail/json/finite.hpp>
#include <oauth/json_fields.hpp>
#include <oauth/provider.hpp>
#include <oauth/user_facing_error.hpp>

#include <boost/json/serialize.hpp>

#include <array>
#include <string_view>

namespace oauth::providers {

/// Notion public integrations: Basic client auth, JSON bodies, a Notion-Version header,
/// workspaces instead of accounts, no scopes (capabilities are set on the integration).
struct Notion {
  static constexpr std::string_view name = "notion";
  static constexpr std::string_view authorization_endpoint = "https://api.notion.com/v1/oauth/authorize";
  static constexpr std::string_view token_endpoint = "https://api.notion.com/v1/oauth/token";
  static constexpr std::string_view revocation_endpoint = "https://api.notion.com/v1/oauth/revoke";
  static constexpr RevocationStyle revocation_style = RevocationStyle::rfc7009;
  static constexpr std::string_view introspection_endpoint = "https://api.notion.com/v1/oauth/introspect";
  // No userinfo endpoint: the token response carries the workspace and its owner. Not an
  // OpenID provider: no issuer, and no `iss` in its authorization responses.

  static constexpr std::string_view api_base_url = "https://api.notion.com";
  static constexpr auto api_hosts = std::array<std::string_view, 1>{"api.notion.com"};
  static constexpr Pagination api_pagination = Pagination::notion_cursor;
  // About three requests a second per connection on average, with bursts above that.
  static constexpr RateLimit api_rate_limit{3.0, 6};
  // The integration's bot user: answers for any token that still works.
  static constexpr std::string_view validation_endpoint = "https://api.notion.com/v1/users/me";

  static constexpr std::string_view api_version = "2025-09-03";
  static constexpr auto request_headers = std::array{Param{"Notion-Version", api_version}};

  static constexpr ClientAuth token_auth = ClientAuth::basic;
  static constexpr BodyFormat token_body = BodyFormat::json;
  // Since 2025 every refresh returns a new refresh token; older integrations get none.
  static constexpr bool supports_refresh = true;
  static constexpr bool rotates_refresh_token = true;
  static constexpr bool supports_pkce = false;
  static constexpr auto authorization_params = std::array{Param{"owner", "user"}};

  static constexpr std::string_view scope_separator = " ";
  static constexpr std::array<Scope, 0> scopes{};

  /// The product's mapping (PROVIDERS.md): a failed connection is NOTION_OAUTH_FAILED;
  /// in use, unauthorized, object_not_found, restricted_resource and rate_limited have
  /// codes of their own, and anything else is NOTION_API_ERROR.
  static UserFacingError describe_error(Error const& error, Operation operation) {
    if (error == Errc::integration_not_found) return {"INTEGRATION_NOT_FOUND", 404, "That connection does not exist."};
    if (operation == Operation::connect)
      return {"NOTION_OAUTH_FAILED", 400, "Connecting your Notion workspace failed. Please try again."};
    if (error == Errc::unauthorized || error == Errc::invalid_grant || error == Errc::needs_reauth)
      return {"NOTION_TOKEN_INVALID", 401, "Please reconnect your Notion workspace."};
    if (error == Errc::not_found)
      return {"NOTION_DATABASE_NOT_FOUND", 404, "The Notion database was not found, or is not shared with this app."};
    if (error == Errc::forbidden) return {"NOTION_ACCESS_DENIED", 403, "This Notion page is not shared with this app."};
    if (error == Errc::rate_limited)
      return {"NOTION_RATE_LIMITED", 429, "Notion is busy. Please try again in a moment."};
    return {"NOTION_API_ERROR", 502, "Notion reported an error."};
  }

  /// The token response: `workspace_id`, `workspace_name`, `workspace_icon`, `bot_id`
  /// and `owner`, either a user (`owner.user`) or, in legacy installs, the workspace.
  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    JsonFields fields(json, "notion token response", Errc::invalid_user_info);
    Workspace workspace;
    workspace.id = fields.string("workspace_id");
    workspace.name = fields.optional_string("workspace_name");
    workspace.icon = fields.optional_string("workspace_icon");
    workspace.bot_id = fields.string("bot_id");
    workspace.duplicated_template_id = fields.optional_string("duplicated_template_id");
    workspace.request_id = fields.optional_string("request_id");
    if (auto const* owner = json.if_contains("owner"); owner != nullptr && owner->is_object()) {
      if (!detail::json::all_numbers_finite(*owner)) fields.fail("owner", "holds a number too large to keep");
      workspace.owner_json = boost::json::serialize(*owner);
    }

    UserInfo info;
    auto owner = fields.object("owner");
    auto const type = owner.string("type");
    if (type == "user") {
      auto user = owner.object("user");
      info.account_id = user.string("id");
      info.name = user.optional_string("name");
      info.picture = user.optional_string("avatar_url");
      if (user.has("person")) info.email = user.object("person").optional_string("email");
    } else if (type == "workspace") {
      workspace.owned_by_workspace = true;
      info.account_id = workspace.id;
    } else if (!type.empty()) {
      owner.fail("type", "must be \"user\" or \"workspace\"");
    }
    info.workspace = std::move(workspace);
    return fields.finish(std::move(info));
  }
};

}  // namespace oauth::providers

#endif
