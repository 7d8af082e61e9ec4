#ifndef OAUTH_PROVIDER_OPTIONS_HPP
#define OAUTH_PROVIDER_OPTIONS_HPP

#include <string>
#include <string_view>

namespace oauth {

/// How the client proves itself at the token endpoint (RFC 6749 section 2.3.1).
enum class ClientAuth {
  request_body,  ///< client_id and client_secret as body parameters
  basic,         ///< HTTP Basic with the form-encoded id and secret
};

/// How token and revocation request bodies are encoded.
enum class BodyFormat { form, json };

/// How a token is handed to the revocation endpoint.
enum class RevocationStyle {
  rfc7009,         ///< in the body, with the client authenticated as at the token endpoint
  token_in_query,  ///< `?token=...` and no client authentication (Google)
};

/// How a provider's API lists hand over their next page.
enum class Pagination {
  none,
  notion_cursor,      ///< `has_more` and `next_cursor`; `start_cursor` in the body (POST) or query (GET)
  odata_next_link,    ///< `@odata.nextLink`: the next page's whole URL (Microsoft Graph)
  google_page_token,  ///< `nextPageToken`, sent back as the `pageToken` query parameter
};

/// A request rate a provider holds callers to: `per_second` on average, `burst` at once.
struct RateLimit {
  double per_second = 0;  ///< 0: no limit
  unsigned burst = 1;
};

/// A name and a value, for extra authorization parameters and request headers.
struct Param {
  std::string_view name;
  std::string_view value;
};

/// What was being done when an error happened: connecting (the callback and its code
/// exchange) or using a connection (a token, an API call).
enum class Operation { connect, use };

/// An error as a service answers it: a stable code, an HTTP status, words for the user.
struct UserFacingError {
  std::string code;
  unsigned http_status = 500;
  std::string message;

  friend bool operator==(UserFacingError const&, UserFacingError const&) = default;
};

}  // namespace oauth

#endif
