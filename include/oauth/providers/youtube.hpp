#ifndef OAUTH_PROVIDERS_YOUTUBE_HPP
#define OAUTH_PROVIDERS_YOUTUBE_HPP

#include <oauth/json_fields.hpp>
#include <oauth/provider.hpp>
#include <oauth/providers/google.hpp>

#include <array>
#include <string_view>

namespace oauth::providers {

/// YouTube Data API v3: Google's accounts, and the channel as the identity.
struct YouTube : GoogleAccounts {
  static constexpr std::string_view name = "youtube";
  // YouTube has no userinfo of its own; the authorized channel is the account.
  static constexpr std::string_view userinfo_endpoint =
      "https://www.googleapis.com/youtube/v3/channels?part=snippet&mine=true";

  static constexpr auto scopes = std::array{
      Scope{.name = "https://www.googleapis.com/auth/youtube.readonly",
            .description = "View your YouTube account",
            .category = ScopeCategory::read,
            .set = "youtube",
            .required = true},
      Scope{.name = "https://www.googleapis.com/auth/youtube",
            .description = "Manage your YouTube account",
            .category = ScopeCategory::admin,
            .set = "youtube",
            .dangerous = true},
      Scope{.name = "https://www.googleapis.com/auth/youtube.force-ssl",
            .description = "See, edit and permanently delete your YouTube videos, ratings, comments and captions",
            .category = ScopeCategory::admin,
            .set = "youtube",
            .dangerous = true},
      Scope{.name = "https://www.googleapis.com/auth/youtube.upload",
            .description = "Manage your YouTube videos",
            .category = ScopeCategory::write,
            .set = "youtube"},
      Scope{.name = "https://www.googleapis.com/auth/youtubepartner",
            .description = "View and manage your assets and associated content on YouTube",
            .category = ScopeCategory::admin,
            .set = "youtube",
            .dangerous = true},
      Scope{.name = "https://www.googleapis.com/auth/youtubepartner-channel-audit",
            .description = "View private information of your YouTube channel relevant during the audit process",
            .category = ScopeCategory::read,
            .set = "youtube"},
      Scope{
          .name = "https://www.googleapis.com/auth/youtube.channel-memberships.creator",
          .description = "See a list of your current active channel members, their level and when they became members",
          .category = ScopeCategory::read,
          .set = "youtube"},
  };

  /// `channels.list(mine=true)`: the first channel's id, title and default thumbnail.
  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    JsonFields response(json, "youtube channels", Errc::invalid_user_info);
    auto channel = response.first_of("items");
    auto snippet = channel.object("snippet");
    UserInfo info;
    info.account_id = channel.string("id");
    info.name = snippet.optional_string("title");
    if (snippet.has("thumbnails")) info.picture = snippet.object("thumbnails").object("default").optional_string("url");
    return response.finish(std::move(info));
  }
};

}  // namespace oauth::providers

#endif
