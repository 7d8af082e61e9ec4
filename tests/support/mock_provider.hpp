#ifndef OAUTH_TESTS_SUPPORT_MOCK_PROVIDER_HPP
#define OAUTH_TESTS_SUPPORT_MOCK_PROVIDER_HPP

#include "support/test_ca.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace oauth::testing {

/// Which real provider a mock behaves like (PROVIDERS.md), quirks included.
enum class Flavor { google, youtube, microsoft, notion };

/// Ways a mock can be told to misbehave, on one endpoint, for the next `times` requests.
enum class FaultKind {
  oauth_error,       ///< 400 (401 for invalid_client) with `error` in the provider's own shape
  rate_limited,      ///< 429 with Retry-After
  server_error,      ///< 500
  unavailable,       ///< 503 with Retry-After
  stall,             ///< answers after `stall`, normally
  malformed_json,    ///< 200 with a body that is not JSON
  oversized_json,    ///< 200 with a 2 MiB JSON body
  wrong_token_type,  ///< a token response with token_type "mac"
  redirect,          ///< 302 to another host
  overloaded,        ///< 529 with Retry-After (Notion's service_overload)
  bad_gateway,       ///< 502
  gateway_timeout,   ///< 504
  unauthorized,      ///< 401 in the provider's API error shape, whatever the token
  not_found,         ///< 404 in the provider's API error shape
  forbidden,         ///< 403 in the provider's API error shape
  hostile,           ///< an answer made to break the client (Fault::hostile says which)
};

/// Answers a provider could send to break its clients: bodies that are not what they
/// claim, framing that lies, a connection that never ends.
enum class Hostile {
  deep_json,           ///< JSON nested 100,000 deep
  huge_string,         ///< a 1,000,000-character access token, the body just under the size cap
  duplicate_keys,      ///< two access tokens in one object
  invalid_utf8,        ///< a string that is not UTF-8
  expires_negative,    ///< expires_in -3600
  expires_zero,        ///< expires_in 0
  expires_huge,        ///< expires_in 1e308
  expires_nan,         ///< expires_in "NaN"
  expires_two_to_63,   ///< expires_in 9223372036854775808
  forged_description,  ///< an error_description with CRLF, a log line and terminal escapes
  ten_gigabytes,       ///< Content-Length: 10737418240
  bad_chunk_size,      ///< a chunked body whose sizes are not hexadecimal
  unrequested_gzip,    ///< Content-Encoding: gzip, though the client asked for none
  trickle,             ///< the body at one byte a second
  http10,              ///< an HTTP/1.0 answer, ended by closing the connection
};

struct Fault {
  FaultKind kind = FaultKind::oauth_error;
  std::string endpoint = "token";  ///< authorize, token, userinfo, revoke, introspect, api
  std::string error = "invalid_grant";
  Hostile hostile = Hostile::deep_json;  ///< with FaultKind::hostile
  int retry_after_seconds = 1;
  bool retry_after_as_date = false;  ///< Retry-After as an HTTP date that many seconds ahead
  std::chrono::milliseconds stall{0};
  int times = 1;
};

/// Who is signing in at the mock: a Google or Microsoft account, a YouTube channel, or
/// a Notion user and workspace.
struct MockAccount {
  std::string id = "account-1";
  std::string email = "ada@example.com";
  std::string name = "Ada Lovelace";
  std::string workspace_id = "workspace-1";
  std::string workspace_name = "Analytical Engines";
  bool owned_by_workspace = false;  ///< Notion's legacy workspace-owned install
};

struct MockOptions {
  Flavor flavor = Flavor::google;
  TestCertificates const* tls = nullptr;  ///< serve HTTPS with this certificate; plain HTTP without
  std::string client_id = "client-id";
  std::string client_secret = "client-secret";
  std::chrono::seconds access_token_lifetime{3600};
  bool expires_in_as_string = false;
  bool scope_as_array = false;
  bool deny_consent = false;  ///< the user clicks "Cancel": the redirect carries error=access_denied
  /// A rotated-out refresh token keeps working until its successor is first used, as
  /// Microsoft's do: a client that died before storing the new one can refresh again.
  bool rotation_grace = false;
  /// The authorization endpoint shows a consent page with Allow and Cancel, as the real
  /// ones do, instead of approving at once: for a person, or a browser in a test.
  bool consent_page = false;
  /// The client's registered redirect URIs; empty, any is accepted. "http://127.0.0.1"
  /// stands for that address on any port (RFC 8252 section 7.3). Any other redirect URI
  /// gets an error page, and no redirect, as the real providers answer.
  std::vector<std::string> registered_redirect_uris = {};
  /// What the API lists: Notion databases (search), Graph messages, Google calendars.
  /// What the authorization response names as its issuer (RFC 9207): Google's mocks name
  /// https://accounts.google.com, as Google does; the others, as theirs, name none. Set,
  /// every response names this instead (an empty string: none).
  std::optional<std::string> iss = {};
  int api_items = 0;
  int api_page_size = 10;  ///< the most items a page holds; Notion's page_size may ask for fewer
};

/// A provider's OAuth endpoints on a loopback port, run by a thread of its own.
class MockProvider {
public:
  explicit MockProvider(MockOptions options);
  ~MockProvider();
  MockProvider(MockProvider const&) = delete;
  MockProvider& operator=(MockProvider const&) = delete;

  /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`: the endpoint base to configure.
  std::string base_url() const;
  unsigned short port() const;

  void fail(Fault fault);
  /// Answers on `endpoint` (counted as they arrive) are held until release(): a latch for
  /// tests that must have every caller waiting before an answer comes.
  void hold(std::string endpoint);
  void release();
  void set_account(MockAccount account);
  void set_deny_consent(bool deny);
  /// What authorization responses name as their issuer from now on (MockOptions::iss).
  void set_iss(std::optional<std::string> iss);
  /// How long the access tokens issued from now on live (MockOptions::access_token_lifetime).
  void set_access_token_lifetime(std::chrono::seconds lifetime);
  /// Every token issued so far stops working, as when the user removes the application
  /// from their account at the provider.
  void revoke_everything();
  /// Every access token issued so far stops working; refresh tokens still do, as when
  /// the provider ends access tokens early.
  void expire_access_tokens();

  /// Requests seen per endpoint ("token.authorization_code", "token.refresh_token",
  /// "userinfo", "revoke", "introspect", "authorize", "api", and "api METHOD PATH").
  int requests(std::string const& endpoint) const;
  int connections_accepted() const;
  /// When each API request arrived, for measuring request rates.
  std::vector<std::chrono::steady_clock::time_point> api_request_times() const;
  /// The API's items; a test may change them between listings.
  void set_api_items(int count);
  /// The server name (SNI) the latest TLS client asked for; empty when it sent none.
  std::string last_server_name() const;

  /// Whether the mock still honours this token (false once revoked or rotated away).
  bool token_active(std::string const& token) const;
  /// The refresh token issued in the same response as this access token, if any.
  std::optional<std::string> refresh_issued_with(std::string const& access_token) const;
  /// Headers of the latest request to an endpoint, lower-cased names.
  std::map<std::string, std::string> last_headers(std::string const& endpoint) const;
  std::string last_body(std::string const& endpoint) const;
  std::map<std::string, std::string> last_authorize_params() const;

private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// What a browser ends up with after the user approves at the mock: the redirect URI's
/// query parameters.
struct ConsentResult {
  std::string code;
  std::string state;
  std::string error;
  std::optional<std::string> iss;
  std::string location;
};

/// Plays the browser: GETs the authorization URL (trusting `tls` when given) and reads
/// the redirect back to the application.
ConsentResult consent(std::string const& authorization_url, TestCertificates const* tls = nullptr);

/// Percent-decoded query parameters of a URL.
std::map<std::string, std::string> query_params(std::string const& url);

}  // namespace oauth::testing

#endif
