#ifndef OAUTH_DETAIL_JSON_UNIQUE_MEMBERS_HPP
#define OAUTH_DETAIL_JSON_UNIQUE_MEMBERS_HPP

#include <boost/json/basic_parser_impl.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::detail::json {

namespace unique_members {

/// Reads a JSON text for its member names only, failing at the first name an object has
/// twice. Boost.JSON keeps the last of two; a document that says two things about one
/// member (a token's claims, a token response) is not to be believed either way.
struct Handler {
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  std::vector<std::set<std::string, std::less<>>> objects;
  std::string key;
  bool duplicate = false;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    objects.pop_back();
    return true;
  }
  bool on_string_part(std::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(std::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(std::string_view part, std::size_t, boost::system::error_code&) {
    key += part;
    return true;
  }
  bool on_key(std::string_view last, std::size_t, boost::system::error_code& ec) {
    key += last;
    bool const fresh = objects.back().insert(std::move(key)).second;
    key.clear();
    if (!fresh) {
      duplicate = true;
      ec = boost::json::error::syntax;
    }
    return fresh;
  }
  bool on_number_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t, std::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(std::uint64_t, std::string_view, boost::system::error_code&) { return true; }
  bool on_double(double, std::string_view, boost::system::error_code&) { return true; }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_comment(std::string_view, boost::system::error_code&) { return true; }
};

}  // namespace unique_members

/// Whether some object in the JSON text `text` names a member twice. Text that is not JSON
/// has none to find (its parser says what is wrong with it).
inline bool has_duplicate_member(std::string_view text) {
  boost::json::basic_parser<unique_members::Handler> parser(boost::json::parse_options{});
  boost::system::error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  return parser.handler().duplicate;
}

}  // namespace oauth::detail::json

#endif
