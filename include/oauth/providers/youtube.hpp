#ifndef OAUTH_PROVIDERS_YOUTUBE_HPP
#define OAUTH_PROVIDERS_YOUTUBE_HPP

#include <oauth/detail/json/fields.hpp>
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
      Scope{"https://www.googleapis.com/auth/youtube.readonly", "View your YouTube account", ScopeCategory::read,
            "youtube", true},
      Scope{"https://www.googleapis.com/auth/youtube", "Manage your YouTube account", ScopeCategory::admin, "youtube",
            false, true},
      Scope{"https://www.googleapis.com/auth/youtube.force-ssl",
            "See, edit and permanently delete your YouTube videos, ratings, comments and captions",
            ScopeCategory::admin, "youtube", false, true},
      Scope{"https://www.googleapis.com/auth/youtube.upload", "Manage your YouTube videos", ScopeCategory::write,
            "youtube"},
      Scope{"https://www.googleapis.com/auth/youtubepartner",
            "View and manage your assets and associated content on YouTube", ScopeCategory::admin, "youtube", false,
            true},
      Scope{"https://www.googleapis.com/auth/youtubepartner-channel-audit",
            "View private information of your YouTube channel relevant during the audit process",
            ScopeCategory::read, "youtube"},
      Scope{"https://www.googleapis.com/auth/youtube.channel-memberships.creator",
            "See a list of your current active channel members, their level and when they became members",
            ScopeCategory::read, "youtube"},
  };

  /// `channels.list(mine=true)`: the first channel's id, title and default thumbnail.
  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    detail::json::Fields response(json, "youtube channels", Errc::invalid_user_info);
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
