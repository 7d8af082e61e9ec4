#ifndef OAUTH_DETAIL_PROTOCOL_TOKEN_FIELDS_HPP
#define OAUTH_DETAIL_PROTOCOL_TOKEN_FIELDS_HPP

#include <oauth/error.hpp>

#include <boost/json/value.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace oauth::detail::token_response {

/// The longest token kept: Google's are at most 2 KiB and Microsoft's JWTs a few; a
/// megabyte "token" is a provider trying to fill the store.
inline constexpr std::size_t max_token_bytes = std::size_t{16} * 1024;
inline constexpr std::size_t max_scope_bytes = std::size_t{64} * 1024;

/// A lifetime of one second to ten years, as a number or a string of digits (a fraction
/// is dropped). Zero, negative, NaN or centuries is not a lifetime a token has.
inline Result<std::optional<std::chrono::seconds>> expires_in(boost::json::value const* v) {
  constexpr long long ten_years = 10LL * 366 * 24 * 3600;
  auto bad = [] {
    return Error(Errc::invalid_token_response, "expires_in must be a number of seconds from 1 to ten years");
  };
  if (v == nullptr || v->is_null()) return std::optional<std::chrono::seconds>{};
  long long seconds = 0;
  if (v->is_int64())
    seconds = v->get_int64();
  else if (v->is_double() && std::isfinite(v->get_double()) && std::abs(v->get_double()) < 1e15)
    seconds = static_cast<long long>(v->get_double());
  else if (v->is_string()) {
    auto const text = std::string_view(v->get_string());
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return bad();
  } else {
    return bad();  // a bool, an object, a number beyond INT64_MAX
  }
  if (seconds < 1 || seconds > ten_years) return bad();
  return std::optional<std::chrono::seconds>(seconds);
}

inline Result<std::optional<std::vector<std::string>>> scopes(boost::json::value const* v) {
  using Scopes = std::optional<std::vector<std::string>>;
  if (v == nullptr || v->is_null()) return Scopes{};
  auto too_long = [] { return Error(Errc::invalid_token_response, "scope is longer than 64 KiB"); };
  std::vector<std::string> out;
  if (v->is_string()) {
    std::string_view rest = v->get_string();
    if (rest.size() > max_scope_bytes) return too_long();
    while (!rest.empty()) {
      auto const start = rest.find_first_not_of(" ,");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      auto const name = rest.substr(0, rest.find_first_of(" ,"));
      out.emplace_back(name);
      rest.remove_prefix(name.size());
    }
    return Scopes(std::move(out));
  }
  if (v->is_array()) {
    std::size_t bytes = 0;
    for (auto const& item : v->get_array()) {
      if (!item.is_string()) return Error(Errc::invalid_token_response, "scope array must hold strings");
      bytes += item.get_string().size() + 1;
      if (bytes > max_scope_bytes) return too_long();
      out.emplace_back(item.get_string());
    }
    return Scopes(std::move(out));
  }
  return Error(Errc::invalid_token_response, "scope must be a string or an array of strings");
}

}  // namespace oauth::detail::token_response

#endif
