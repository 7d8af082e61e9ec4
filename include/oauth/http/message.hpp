#ifndef OAUTH_HTTP_MESSAGE_HPP
#define OAUTH_HTTP_MESSAGE_HPP

#include <oauth/detail/http/headers.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth {

enum class HttpMethod { get, post, put, patch, delete_ };

/// RFC 9110 section 9.2.2: sending it twice has the effect of sending it once, so a
/// failure whose outcome is unknown may be retried.
constexpr bool is_idempotent(HttpMethod method) noexcept {
  return method == HttpMethod::get || method == HttpMethod::put || method == HttpMethod::delete_;
}

constexpr std::string_view method_name(HttpMethod method) noexcept {
  switch (method) {
    case HttpMethod::get: return "GET";
    case HttpMethod::post: return "POST";
    case HttpMethod::put: return "PUT";
    case HttpMethod::patch: return "PATCH";
    case HttpMethod::delete_: return "DELETE";
  }
  return "GET";
}

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// A request to one of a provider's endpoints, ready for a transport to send. It carries
/// secrets (codes, tokens, the client's credentials) and so is never printed.
struct HttpRequest {
  HttpMethod method = HttpMethod::post;
  std::string url = {};
  HttpHeaders headers = {};
  std::string body = {};

  std::string_view header(std::string_view name) const noexcept { return detail::http::find_header(headers, name); }
};

/// What a provider answered. A transport hands back any status, redirects included; what
/// a status means is the caller's business.
struct HttpResponse {
  unsigned status = 0;
  HttpHeaders headers = {};
  std::string body = {};

  std::string_view header(std::string_view name) const noexcept { return detail::http::find_header(headers, name); }
};

}  // namespace oauth

#endif
