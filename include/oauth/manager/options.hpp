#ifndef OAUTH_MANAGER_OPTIONS_HPP
#define OAUTH_MANAGER_OPTIONS_HPP

#include <oauth/manager/integration.hpp>
#include <oauth/provider.hpp>
#include <oauth/secret.hpp>
#include <oauth/store/records.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace oauth {

/// One provider's registration, set at run time.
struct ProviderConfig {
  std::string client_id = {};
  ClientSecret client_secret = {};
  std::vector<std::string> redirect_uris = {};  ///< exact matches; any other is refused
  std::string endpoint_base = {};               ///< "http://127.0.0.1:8080": every endpoint's scheme and host replaced
  /// The API rate one credential is held to here; absent, the provider's (api_rate_limit).
  std::optional<RateLimit> api_rate_limit = {};
  /// The issuer authorization responses must name (RFC 9207), when not the provider's own:
  /// a self-hosted deployment, a test server. `{tenantid}` stands for any directory id.
  std::string issuer = {};
  /// Whether every authorization response names its issuer; absent, as the provider says.
  std::optional<bool> authorization_response_iss_parameter_supported = {};
};

/// Retries of passing failures (timeouts, 429, 5xx): exponential backoff with jitter,
/// never longer than `max_backoff`, and a provider's Retry-After honoured up to that.
struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10'000};
};

/// How an authorized client's API requests are retried: 429 (and Notion's 529) on any
/// method, 500, 502, 503 and 504 on idempotent ones, after the provider's Retry-After or
/// a jittered exponential backoff; never more than `max_attempts` sends, nor past
/// `max_total` from the first.
struct ApiRetryPolicy {
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{8'000};
  std::chrono::milliseconds max_total{30'000};
};

struct ManagerOptions {
  std::chrono::seconds state_lifetime{600};
  /// Tokens are refreshed this long before they expire, but never earlier than half way
  /// through their lifetime: a 60 s margin would refresh a 90 s token on every call.
  std::chrono::seconds refresh_leeway{60};
  RetryPolicy retry = {};
  ApiRetryPolicy api_retry = {};
  /// How long one process may hold an integration's refresh before another may take over.
  std::chrono::seconds refresh_lease{30};
  std::function<TimePoint()> clock = [] { return Clock::now(); };
  /// How precisely an integration's last use is kept: a token handed out within this of
  /// the recorded time writes nothing, so reading a token is a read, not a write.
  std::chrono::seconds last_used_resolution{15 * 60};
  /// Recorded with each consent: which wording of the application's consent text the user saw.
  std::string consent_version = "1";
  /// How long a consent holds before the user must be asked again; absent, until withdrawn.
  std::optional<std::chrono::seconds> consent_lifetime = {};
  /// Told when an integration must be authorized again; called where the store is
  /// written (the store executor, for a store that blocks), so it must not block long.
  std::function<void(ReauthNeeded const&)> on_reauth_needed = {};
  /// Where the store's blocking calls (SQLite, PostgreSQL, Redis) run, so that an I/O thread
  /// never waits on a database. Absent, the manager runs a pool of `store_threads` threads
  /// of its own. A store that never blocks (the memory backend) is called where it is.
  std::optional<boost::asio::any_io_executor> store_executor = {};
  unsigned store_threads = 4;
};

}  // namespace oauth

#endif
