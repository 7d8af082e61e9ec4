#ifndef OAUTH_DETAIL_PROTOCOL_PROVIDER_ERROR_HPP
#define OAUTH_DETAIL_PROTOCOL_PROVIDER_ERROR_HPP

#include <oauth/detail/encoding/printable.hpp>
#include <oauth/detail/encoding/time.hpp>
#include <oauth/error.hpp>
#include <oauth/http/message.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace oauth::detail::provider_error {

struct CodeMapping {
  std::string_view name;
  Errc code;
};

// RFC 6749 section 5.2 and the OIDC and Microsoft additions, then Notion's API codes and
// Graph's and Google's API reasons.
inline constexpr CodeMapping known_codes[] = {
    {"invalid_request", Errc::invalid_request},
    {"invalid_client", Errc::invalid_client},
    {"invalid_grant", Errc::invalid_grant},
    {"unauthorized_client", Errc::unauthorized_client},
    {"unsupported_grant_type", Errc::unsupported_grant_type},
    {"invalid_scope", Errc::invalid_scope},
    {"access_denied", Errc::access_denied},
    {"temporarily_unavailable", Errc::provider_unavailable},
    {"server_error", Errc::provider_unavailable},
    {"interaction_required", Errc::interaction_required},
    {"login_required", Errc::interaction_required},
    {"consent_required", Errc::consent_required},
    {"invalid_resource", Errc::invalid_request},
    {"invalid_token", Errc::unauthorized},
    {"invalid_json", Errc::invalid_request},
    {"invalid_request_url", Errc::invalid_request},
    {"validation_error", Errc::invalid_request},
    {"missing_version", Errc::invalid_request},
    {"unauthorized", Errc::unauthorized},
    {"restricted_resource", Errc::forbidden},
    {"object_not_found", Errc::not_found},
    {"conflict_error", Errc::conflict},
    {"rate_limited", Errc::rate_limited},
    {"internal_server_error", Errc::provider_unavailable},
    {"service_unavailable", Errc::provider_unavailable},
    {"database_connection_unavailable", Errc::provider_unavailable},
    {"gateway_timeout", Errc::provider_unavailable},
    {"service_overload", Errc::rate_limited},
    {"InvalidAuthenticationToken", Errc::unauthorized},
    {"Authorization_RequestDenied", Errc::forbidden},
    {"Forbidden", Errc::forbidden},
    {"ErrorAccessDenied", Errc::forbidden},
    {"ItemNotFound", Errc::not_found},
    {"ResourceNotFound", Errc::not_found},
    {"TooManyRequests", Errc::rate_limited},
    {"quotaExceeded", Errc::rate_limited},
    {"rateLimitExceeded", Errc::rate_limited},
    {"userRateLimitExceeded", Errc::rate_limited},
};

inline std::optional<Errc> code_named(std::string_view name) noexcept {
  for (auto const& mapping : known_codes)
    if (mapping.name == name) return mapping.code;
  return std::nullopt;
}

inline Errc code_for_status(unsigned status) noexcept {
  if (status == 429 || status == 529) return Errc::rate_limited;
  if (status >= 500) return Errc::provider_unavailable;
  if (status == 401) return Errc::unauthorized;
  if (status == 403) return Errc::forbidden;
  if (status == 404) return Errc::not_found;
  if (status == 409) return Errc::conflict;
  if (status == 400) return Errc::invalid_request;
  return Errc::provider_error;
}

inline std::string_view string_at(boost::json::object const& object, std::string_view key) noexcept {
  auto const* v = object.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

/// The error's name and description in whichever shape the provider used.
struct Described {
  std::string_view name;
  std::string description;
};

inline Described describe(boost::json::object const& body) {
  // Notion: {"object":"error","status":400,"code":"...","message":"..."}
  if (string_at(body, "object") == "error")
    return {string_at(body, "code"), encoding::printable_line(string_at(body, "message"))};
  if (auto const* error = body.if_contains("error")) {
    // RFC 6749 (Google, Microsoft with AADSTS descriptions, Notion's token endpoint)
    if (error->is_string()) {
      std::string description = encoding::printable_line(string_at(body, "error_description"));
      if (auto subtype = string_at(body, "error_subtype"); !subtype.empty())
        description += " (" + encoding::printable_line(subtype, 40) + ")";
      return {error->get_string(), std::move(description)};
    }
    // Graph {"error":{"code","message"}} and Google APIs {"error":{"errors":[{"reason"}],"message"}}
    if (error->is_object()) {
      auto const& inner = error->get_object();
      std::string_view name = string_at(inner, "code");
      if (auto const* errors = inner.if_contains("errors"); errors != nullptr && errors->is_array() &&
                                                            !errors->get_array().empty() &&
                                                            errors->get_array().front().is_object())
        name = string_at(errors->get_array().front().get_object(), "reason");
      return {name, encoding::printable_line(string_at(inner, "message"))};
    }
  }
  return {};
}

/// Retry-After (RFC 9110 section 10.2.3) as delta-seconds or as an HTTP date, counted
/// from `now`; a date gone by means at once. Nonsense is treated as absent, and a day is
/// the most a provider can ask for (more digits than a number holds included).
inline std::optional<std::chrono::seconds> retry_after(
    HttpResponse const& response,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) noexcept {
  constexpr long long day = 24LL * 3600;
  auto const value = response.header("Retry-After");
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long seconds = 0;
    auto const [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    return std::chrono::seconds(ec == std::errc{} ? std::min(seconds, day) : day);
  }
  auto const date = encoding::parse_http_date(value, now);
  if (!date) return std::nullopt;
  // In seconds: a date centuries away is no nanosecond count.
  auto const wait = (*date - std::chrono::floor<std::chrono::seconds>(now)).count();
  return std::chrono::seconds(std::clamp<long long>(wait, 0LL, day));
}

}  // namespace oauth::detail::provider_error

#endif
