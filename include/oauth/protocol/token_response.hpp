#ifndef OAUTH_PROTOCOL_TOKEN_RESPONSE_HPP
#define OAUTH_PROTOCOL_TOKEN_RESPONSE_HPP

#include <oauth/detail/json/unique_members.hpp>
#include <oauth/error.hpp>
#include <oauth/http/message.hpp>
#include <oauth/provider.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/secret.hpp>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

/// A successful answer from the token endpoint (RFC 6749 section 5.1).
struct TokenResponse {
  AccessToken access_token = {};
  std::optional<RefreshToken> refresh_token = {};       ///< absent, or null (Notion): keep the old one
  std::optional<std::chrono::seconds> expires_in = {};  ///< absent: the provider does not say
  std::optional<std::vector<std::string>> scopes = {};  ///< absent: as requested
  /// The rest of the response, tokens removed: where Notion puts the workspace and owner.
  boost::json::object fields = {};
};

namespace detail::token_response {

/// The longest token kept: Google's are at most 2 KiB and Microsoft's JWTs a few; a
/// megabyte "token" is a provider trying to fill the store.
inline constexpr std::size_t max_token_bytes = 16 * 1024;
inline constexpr std::size_t max_scope_bytes = 64 * 1024;

/// A lifetime of one second to ten years, as a number or a string of digits (a fraction
/// is dropped). Zero, negative, NaN or centuries is not a lifetime a token has.
inline Result<std::optional<std::chrono::seconds>> expires_in(boost::json::value const* v) {
  constexpr long long ten_years = 10LL * 366 * 24 * 3600;
  auto bad = [] {
    return Error(Errc::invalid_token_response, "expires_in must be a number of seconds from 1 to ten years");
  };
  if (v == nullptr || v->is_null()) return std::optional<std::chrono::seconds>{};
  long long seconds = 0;
  if (v->is_int64()) seconds = v->get_int64();
  else if (v->is_uint64()) return bad();  // beyond INT64_MAX
  else if (v->is_double() && std::isfinite(v->get_double()) && std::abs(v->get_double()) < 1e15)
    seconds = static_cast<long long>(v->get_double());
  else if (v->is_string()) {
    auto const text = std::string_view(v->get_string());
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return bad();
  } else {
    return bad();
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

}  // namespace detail::token_response

/// Reads a token endpoint's answer the way real providers send it: `expires_in` as a
/// number or a string, `scope` as a string or an array, the refresh token absent or null.
/// Insists on what matters: a JSON object, an access token, token_type bearer. Anything
/// but a 2xx is the provider's error, typed.
template <Provider P>
Result<TokenResponse> parse_token_response(HttpResponse const& response, std::string_view during = "token request") {
  auto invalid = [&](std::string what) {
    Error error(Errc::invalid_token_response, std::string(P::name) + ' ' + std::string(during) + ": " + what);
    error.provider = P::name;
    error.provider_status = response.status;
    return error;
  };
  if (response.status < 200 || response.status >= 300) return provider_error<P>(response, during);

  boost::system::error_code ec;
  auto json = boost::json::parse(response.body, ec);
  if (ec || !json.is_object()) return invalid("response is not a JSON object");
  // Two access tokens in one answer: which one the provider meant is anyone's guess.
  if (detail::json::has_duplicate_member(response.body)) return invalid("response names a member twice");
  auto& object = json.get_object();
  using detail::token_response::max_token_bytes;

  TokenResponse token;
  auto const* access = object.if_contains("access_token");
  if (access == nullptr || !access->is_string() || access->get_string().empty())
    return invalid("access_token is missing or not a string");
  if (access->get_string().size() > max_token_bytes) return invalid("access_token is longer than 16 KiB");
  token.access_token = AccessToken(std::string_view(access->get_string()));

  auto const* type = object.if_contains("token_type");
  if (type == nullptr || !type->is_string() || !boost::algorithm::iequals(std::string_view(type->get_string()), "bearer"))
    return invalid("token_type must be bearer");

  if (auto const* refresh = object.if_contains("refresh_token"); refresh != nullptr && !refresh->is_null()) {
    if (!refresh->is_string()) return invalid("refresh_token must be a string or null");
    if (refresh->get_string().size() > max_token_bytes) return invalid("refresh_token is longer than 16 KiB");
    if (!refresh->get_string().empty()) token.refresh_token = RefreshToken(std::string_view(refresh->get_string()));
  }

  auto expires = detail::token_response::expires_in(object.if_contains("expires_in"));
  if (!expires) return invalid(expires.error().description);
  token.expires_in = *expires;

  auto scopes = detail::token_response::scopes(object.if_contains("scope"));
  if (!scopes) return invalid(scopes.error().description);
  token.scopes = std::move(*scopes);

  for (auto const* secret : {"access_token", "refresh_token", "id_token"}) {
    if (auto* v = object.if_contains(secret); v != nullptr && v->is_string()) {
      auto& s = v->get_string();
      OPENSSL_cleanse(s.data(), s.size());
    }
    object.erase(secret);
  }
  token.fields = std::move(object);
  return token;
}

}  // namespace oauth

#endif
