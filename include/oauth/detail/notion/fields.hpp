#ifndef OAUTH_DETAIL_NOTION_FIELDS_HPP
#define OAUTH_DETAIL_NOTION_FIELDS_HPP

#include <oauth/providers/notion/database.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauth::detail::notion {

inline std::string plain_text(boost::json::value const* rich_text) {
  std::string text;
  if (rich_text == nullptr || !rich_text->is_array()) return text;
  for (auto const& part : rich_text->get_array())
    if (auto const* plain = part.is_object() ? part.get_object().if_contains("plain_text") : nullptr;
        plain != nullptr && plain->is_string())
      text += plain->get_string();
  return text;
}

inline std::optional<providers::notion::Icon> icon_of(boost::json::value const* icon) {
  if (icon == nullptr || !icon->is_object()) return std::nullopt;
  auto const& o = icon->get_object();
  auto const* type = o.if_contains("type");
  if (type == nullptr || !type->is_string()) return std::nullopt;
  std::string_view const kind = type->get_string();
  auto const* body = o.if_contains(kind);
  if (kind == "emoji" && body != nullptr && body->is_string())
    return providers::notion::Icon{providers::notion::Icon::Kind::emoji, std::string(body->get_string())};
  // external, file and custom_emoji all carry a URL
  if (body != nullptr && body->is_object())
    if (auto const* url = body->get_object().if_contains("url"); url != nullptr && url->is_string())
      return providers::notion::Icon{providers::notion::Icon::Kind::url, std::string(url->get_string())};
  return std::nullopt;
}

}  // namespace oauth::detail::notion

#endif
