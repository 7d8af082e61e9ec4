#ifndef OAUTH_JSON_FIELDS_HPP
#define OAUTH_JSON_FIELDS_HPP

#include <oauth/error.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace oauth {

/// Reads the fields of a JSON document, tolerant where real providers vary: what a
/// provider's map_user_info uses (docs/providers.md). The first
/// problem is kept (later reads return empty values) and reported by finish(); it names
/// the document and the field, never the value, which may be secret.
class JsonFields {
public:
  JsonFields(boost::json::object const& object, std::string where, Errc code)
      : object_(&object), where_(std::move(where)), state_(std::make_shared<State>(State{code, {}})) {}

  /// A non-empty string.
  std::string string(std::string_view key) {
    auto const* v = find(key);
    if (v == nullptr) return fail(key, "is missing"), std::string{};
    if (!v->is_string()) return fail(key, "must be a string"), std::string{};
    if (v->get_string().empty()) return fail(key, "is empty"), std::string{};
    return std::string(v->get_string());
  }

  /// A string that may be absent or null.
  std::optional<std::string> optional_string(std::string_view key) {
    auto const* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) return fail(key, "must be a string"), std::nullopt;
    return std::string(v->get_string());
  }

  /// A boolean that may be absent or null; "true" and "false" as strings are accepted
  /// because some Google endpoints send them so.
  std::optional<bool> optional_bool(std::string_view key) {
    auto const* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (v->is_bool()) return v->get_bool();
    if (v->is_string() && (v->get_string() == "true" || v->get_string() == "false")) return v->get_string() == "true";
    return fail(key, "must be a boolean"), std::nullopt;
  }

  /// A nested object that must be there.
  JsonFields object(std::string_view key) {
    auto const* v = find(key);
    if (v == nullptr) return fail(key, "is missing"), nested(empty(), key);
    if (!v->is_object()) return fail(key, "must be an object"), nested(empty(), key);
    return nested(v->get_object(), key);
  }

  /// The first element of an array of objects that must not be empty.
  JsonFields first_of(std::string_view key) {
    auto const* v = find(key);
    if (v == nullptr) return fail(key, "is missing"), nested(empty(), key);
    if (!v->is_array()) return fail(key, "must be an array"), nested(empty(), key);
    if (v->get_array().empty()) return fail(key, "is empty"), nested(empty(), key);
    auto const& first = v->get_array().front();
    if (!first.is_object()) return fail(key, "must hold objects"), nested(empty(), key);
    return nested(first.get_object(), std::string(key) + "[0]");
  }

  /// Whether the field is there and not null.
  bool has(std::string_view key) const { return find(key) != nullptr; }

  /// Records a problem the caller found in a field's value.
  void fail(std::string_view key, std::string_view what) {
    if (!state_->error) state_->error = Error(state_->code, where_ + "." + std::string(key) + " " + std::string(what));
  }

  /// `value`, or the first problem any reader of this document met.
  template <class T>
  Result<T> finish(T value) const {
    if (state_->error) return *state_->error;
    return value;
  }

private:
  struct State {
    Errc code;
    std::optional<Error> error;
  };

  JsonFields(boost::json::object const& object, std::string where, std::shared_ptr<State> state)
      : object_(&object), where_(std::move(where)), state_(std::move(state)) {}

  static boost::json::object const& empty() {
    static boost::json::object const nothing;
    return nothing;
  }

  boost::json::value const* find(std::string_view key) const {
    auto const* v = object_->if_contains(key);
    return v == nullptr || v->is_null() ? nullptr : v;
  }

  JsonFields nested(boost::json::object const& object, std::string_view key) const {
    return JsonFields(object, where_ + "." + std::string(key), state_);
  }

  boost::json::object const* object_;
  std::string where_;
  std::shared_ptr<State> state_;
};

}  // namespace oauth

#endif
