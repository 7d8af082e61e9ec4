#ifndef OAUTH_DETAIL_HTTP_URL_HPP
#define OAUTH_DETAIL_HTTP_URL_HPP

#include <oauth/error.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <string>
#include <string_view>

namespace oauth::detail::http {

/// Where a request goes: what a connection is made to, and the target sent on it.
struct Endpoint {
  bool tls = true;
  std::string host;
  std::string port;
  std::string target;

  /// Connections are shared between requests with the same key.
  std::string connection_key() const { return (tls ? "https://" : "http://") + host + ':' + port; }
};

inline bool is_loopback_host(std::string_view host) noexcept {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

inline Result<Endpoint> parse_endpoint(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Error(Errc::invalid_argument, "request URL is not an absolute URI");
  auto const& uri = *parsed;
  Endpoint endpoint;
  if (uri.scheme_id() == boost::urls::scheme::https) endpoint.tls = true;
  else if (uri.scheme_id() == boost::urls::scheme::http) endpoint.tls = false;
  else return Error(Errc::invalid_argument, "request URL scheme must be http or https");
  endpoint.host = uri.host_address();
  if (endpoint.host.empty()) return Error(Errc::invalid_argument, "request URL has no host");
  endpoint.port = uri.has_port() ? std::string(uri.port()) : (endpoint.tls ? "443" : "80");
  endpoint.target = uri.encoded_target();
  if (endpoint.target.empty()) endpoint.target = "/";
  return endpoint;
}

/// `url` with its scheme and authority replaced by `base` (which may carry a path prefix):
/// how a provider's fixed endpoints are pointed at a proxy or a test server.
inline Result<std::string> rebase_url(std::string_view url, std::string_view base) {
  if (base.empty()) return std::string(url);
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Error(Errc::invalid_argument, "endpoint URL is not an absolute URI");
  while (base.ends_with('/')) base.remove_suffix(1);
  std::string rebased(base);
  rebased += parsed->encoded_target();
  return rebased;
}

}  // namespace oauth::detail::http

#endif
