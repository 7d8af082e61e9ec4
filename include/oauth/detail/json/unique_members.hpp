#ifndef OAUTH_DETAIL_JSON_UNIQUE_MEMBERS_HPP
#define OAUTH_DETAIL_JSON_UNIQUE_MEMBERS_HPP

#include <boost/json/value.hpp>

#include <cstddef>
#include <string_view>

namespace oauth::detail::json {

/// The members of every object in `value`, nested ones included.
inline std::size_t count_members(boost::json::value const& value) noexcept {
  std::size_t count = 0;
  if (auto const* object = value.if_object()) {
    count += object->size();
    for (auto const& member : *object) count += count_members(member.value());
  } else if (auto const* array = value.if_array()) {
    for (auto const& element : *array) count += count_members(element);
  }
  return count;
}

/// The name separators of a JSON text: each ':' outside a string ends one member's name.
inline std::size_t count_name_separators(std::string_view text) noexcept {
  std::size_t count = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == ':') {
      ++count;
    }
  }
  return count;
}

/// Whether some object in `text` names a member twice, where `parsed` is what Boost.JSON
/// (without comments) made of `text`. A document that says two things about one member
/// (a token's claims, a token response) is not to be believed either way. Boost.JSON keeps
/// the last of two members of one name, so the text then holds more members than the tree;
/// without a duplicate, every member of the text is in the tree.
inline bool has_duplicate_member(std::string_view text, boost::json::value const& parsed) noexcept {
  return count_name_separators(text) != count_members(parsed);
}

}  // namespace oauth::detail::json

#endif
