#ifndef OAUTH_DETAIL_HTTP_URL_HPP
#define OAUTH_DETAIL_HTTP_URL_HPP

#include <oauth/error.hpp>

#include <boost/url/grammar/error.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <optional>
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

/// An absolute URI, as RFC 3986 reads it. Boost.URL 1.81 takes the IPv4-looking start of a
/// name for the whole host ("http://127.0.0.1.evil.example/" becomes host 127.0.0.1 and
/// path ".evil.example/"), which no browser or provider does; such a parse, whose path
/// after an authority does not begin with '/', is refused.
inline boost::system::result<boost::urls::url_view> parse_url(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (parsed && parsed->has_authority() && !parsed->encoded_path().empty() && !parsed->encoded_path().starts_with('/'))
    return boost::urls::grammar::error::mismatch;
  return parsed;
}

/// localhost, an address in 127.0.0.0/8, or ::1: never a name that merely starts like one
/// ("127.0.0.1.evil.example" is anyone's).
inline bool is_loopback_host(std::string_view host) noexcept {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  auto const v4 = boost::urls::parse_ipv4_address(host);
  return v4 && (v4->to_uint() >> 24) == 127;
}

inline Result<Endpoint> parse_endpoint(std::string_view url) {
  auto parsed = parse_url(url);
  if (!parsed) return Error(Errc::invalid_argument, "request URL is not an absolute URI");
  auto const& uri = *parsed;
  Endpoint endpoint;
  if (uri.scheme_id() == boost::urls::scheme::https)
    endpoint.tls = true;
  else if (uri.scheme_id() == boost::urls::scheme::http)
    endpoint.tls = false;
  else
    return Error(Errc::invalid_argument, "request URL scheme must be http or https");
  endpoint.host = uri.host_address();
  if (endpoint.host.empty()) return Error(Errc::invalid_argument, "request URL has no host");
  endpoint.port = uri.has_port() ? std::string(uri.port()) : (endpoint.tls ? "443" : "80");
  endpoint.target = uri.encoded_target();
  if (endpoint.target.empty()) endpoint.target = "/";
  return endpoint;
}

/// Why `uri` cannot be a redirect URI, or nothing when it can: an absolute http(s) URI
/// without a fragment (RFC 6749 section 3.1.2) or credentials, over TLS but for a loopback
/// address (RFC 8252 section 7.3), and without the parameters the response itself brings.
inline std::optional<std::string_view> redirect_uri_problem(std::string_view uri) {
  auto parsed = parse_url(uri);
  if (!parsed) return "is not an absolute URI";
  if (parsed->scheme_id() != boost::urls::scheme::https && parsed->scheme_id() != boost::urls::scheme::http)
    return "must be https (or http to a loopback address)";
  if (parsed->has_fragment()) return "must not have a fragment";
  if (parsed->has_userinfo()) return "must not carry credentials";
  if (parsed->host_address().empty()) return "has no host";
  if (parsed->scheme_id() == boost::urls::scheme::http && !is_loopback_host(parsed->host_address()))
    return "must be https unless it is a loopback address";
  for (auto const* name : {"code", "state", "iss", "error"})
    if (parsed->params().contains(name)) return "must not carry the parameters of an authorization response";
  return std::nullopt;
}

/// `url` with its scheme and authority replaced by `base` (which may carry a path prefix):
/// how a provider's fixed endpoints are pointed at a proxy or a test server.
inline Result<std::string> rebase_url(std::string_view url, std::string_view base) {
  if (base.empty()) return std::string(url);
  auto parsed = parse_url(url);
  if (!parsed) return Error(Errc::invalid_argument, "endpoint URL is not an absolute URI");
  while (base.ends_with('/')) base.remove_suffix(1);
  std::string rebased(base);
  rebased += parsed->encoded_target();
  return rebased;
}

}  // namespace oauth::detail::http

#endif
