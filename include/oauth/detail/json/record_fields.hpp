#ifndef OAUTH_DETAIL_JSON_RECORD_FIELDS_HPP
#define OAUTH_DETAIL_JSON_RECORD_FIELDS_HPP

#include <oauth/clock.hpp>
#include <oauth/detail/encoding/time.hpp>
#include <oauth/error.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::detail::record_json {

inline void put(boost::json::object& o, std::string_view key, std::optional<std::string> const& v) {
  if (v) o[key] = *v;
}
inline void put(boost::json::object& o, std::string_view key, std::optional<TimePoint> const& v) {
  if (v) o[key] = encoding::to_rfc3339(*v);
}
inline boost::json::array strings(std::vector<std::string> const& values) {
  boost::json::array out;
  for (auto const& v : values) out.emplace_back(v);
  return out;
}

/// Reads fields back, remembering the first that is missing or of the wrong kind.
class Reader {
public:
  Reader(boost::json::value const& value, std::string_view what) : what_(what) {
    if (value.is_object())
      object_ = &value.get_object();
    else
      failure_ = std::string(what) + " is not a JSON object";
  }
  std::string string(std::string_view key) { return optional_string(key).value_or(std::string{}); }
  std::optional<std::string> optional_string(std::string_view key) {
    auto const* v = find(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_string()) return fail(key), std::nullopt;
    return std::string(v->get_string());
  }
  bool boolean(std::string_view key) { return optional_bool(key).value_or(false); }
  std::optional<bool> optional_bool(std::string_view key) {
    auto const* v = find(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_bool()) return fail(key), std::nullopt;
    return v->get_bool();
  }
  TimePoint time(std::string_view key) { return optional_time(key).value_or(TimePoint{}); }
  std::optional<TimePoint> optional_time(std::string_view key) {
    auto text = optional_string(key);
    if (!text) return std::nullopt;
    auto at = encoding::from_rfc3339(*text);
    if (!at) fail(key);
    return at;
  }
  std::vector<std::string> strings(std::string_view key) {
    std::vector<std::string> out;
    auto const* v = find(key);
    if (v == nullptr || v->is_null()) return out;
    if (!v->is_array()) return fail(key), out;
    for (auto const& item : v->get_array()) {
      if (!item.is_string()) return fail(key), out;
      out.emplace_back(item.get_string());
    }
    return out;
  }
  boost::json::value const* find(std::string_view key) const {
    return object_ == nullptr ? nullptr : object_->if_contains(key);
  }
  template <class T>
  Result<T> finish(T value) const {
    if (failure_) return Error(Errc::store_failure, *failure_);
    return value;
  }

private:
  void fail(std::string_view key) {
    if (!failure_) failure_ = std::string(what_) + ": field " + std::string(key) + " is malformed";
  }
  std::string_view what_;
  boost::json::object const* object_ = nullptr;
  std::optional<std::string> failure_;
};

}  // namespace oauth::detail::record_json

#endif
