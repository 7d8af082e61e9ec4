#ifndef OAUTH_API_REQUEST_HPP
#define OAUTH_API_REQUEST_HPP

#include <oauth/error.hpp>
#include <oauth/http/message.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace oauth {

/// A call to a provider's API, before a token is attached. `target` is a path on the
/// provider's API base ("/v1/search") or a whole URL on one of its API hosts (a Graph
/// next link); any other host is refused, so a token never leaves its provider.
struct ApiRequest {
  HttpMethod method = HttpMethod::get;
  std::string target = {};
  HttpHeaders headers = {};  ///< Authorization is the client's; one set here is dropped
  std::string body = {};

  static ApiRequest get(std::string target) { return {HttpMethod::get, std::move(target), {}, {}}; }
  static ApiRequest del(std::string target) { return {HttpMethod::delete_, std::move(target), {}, {}}; }

  /// A request with a JSON body.
  static ApiRequest json(HttpMethod method, std::string target, boost::json::value const& body) {
    return {method, std::move(target), {{"Content-Type", "application/json"}}, boost::json::serialize(body)};
  }
  static ApiRequest post(std::string target, boost::json::value const& body) {
    return json(HttpMethod::post, std::move(target), body);
  }
};

/// A provider's successful (2xx) answer. A failed one is an Error: its code, the
/// provider's own words, its status and any Retry-After.
struct ApiResponse {
  unsigned status = 0;
  HttpHeaders headers = {};
  std::string body = {};
  int attempts = 1;  ///< sends it took, retries and the one after a refresh included

  std::string_view header(std::string_view name) const noexcept { return detail::http::find_header(headers, name); }

  /// The body as JSON; malformed_response when it is not.
  Result<boost::json::value> json() const {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec) return Error(Errc::malformed_response, "the API response is not JSON");
    return value;
  }
};

}  // namespace oauth

#endif
