#ifndef OAUTH_PROVIDERS_NOTION_DATABASE_HPP
#define OAUTH_PROVIDERS_NOTION_DATABASE_HPP

#include <oauth/clock.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauth::providers::notion {

/// How Notion databases are keyed among an integration's cached resources.
inline constexpr std::string_view database_kind = "notion.database";

struct Icon {
  enum class Kind { emoji, url };
  Kind kind = Kind::emoji;
  std::string value = {};
  friend bool operator==(Icon const&, Icon const&) = default;
};

/// "emoji" or "url": how an icon's kind is stored and shown.
constexpr std::string_view to_string(Icon::Kind kind) noexcept { return kind == Icon::Kind::emoji ? "emoji" : "url"; }

/// A database the integration can see, as cached. Under Notion-Version 2025-09-03 search
/// lists data sources, the tables inside databases; `database_id` names the database that
/// holds one. Earlier versions list databases themselves.
struct Database {
  std::string id = {};
  std::string title = {};
  std::optional<Icon> icon = {};
  boost::json::object properties = {};  ///< the property schema: name to property object
  boost::json::object object = {};      ///< what Notion sent, whole
  std::optional<std::string> database_id = {};
  TimePoint refreshed_at = {};
};

}  // namespace oauth::providers::notion

#endif
