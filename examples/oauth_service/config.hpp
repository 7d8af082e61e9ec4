#ifndef OAUTH_SERVICE_CONFIG_HPP
#define OAUTH_SERVICE_CONFIG_HPP

// What the service is told at start: an optional JSON file (OAUTH_SERVICE_CONFIG), then
// the environment, which wins. Secrets (the encryption keys, the bearer-token secrets,
// client secrets) are best given by the environment; none of them is ever printed.

#include "bearer_token.hpp"
#include "common/provider_environment.hpp"

#include <oauth/secret.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace oauth::service {

using examples::ProviderSettings;

/// What one request, and one client, may take. The deadlines hold for every request of a
/// kept-alive connection, counted from its first byte.
struct Limits {
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 8 * 1024;
  std::chrono::seconds header_timeout{10};   ///< a client this slow to send its headers is dropped
  std::chrono::seconds request_timeout{30};  ///< the whole request, body included
  std::chrono::seconds idle_timeout{60};     ///< a kept-alive connection with nothing to say
  std::size_t max_connections = 10'000;
  std::size_t max_connections_per_address = 256;  ///< so that one client cannot take every slot
  /// Reverse proxies in front of the service (OAUTH_TRUSTED_PROXIES), as IP addresses: their
  /// connections are not capped per address, and their X-Forwarded-For names the client
  /// that the per-address limits, the access log and consent records see.
  std::vector<std::string> trusted_proxies = {};
};

struct RateLimits {
  double per_user_per_minute = 600;
  double per_user_burst = 120;
  double per_address_per_minute = 6000;
  double per_address_burst = 1200;
};

struct ServiceConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8002;
  unsigned threads = 0;  ///< 0: one per core
  /// Threads that call the store; 0 (the default) chooses by store once it is known:
  /// a thread per core (at least 2) for SQLite and memory, whose calls wait on nothing but
  /// the CPU, and 64 for PostgreSQL and Redis, whose calls wait on the network. Writes no
  /// longer hold a thread while they wait for a commit, so more threads than that only add
  /// wake-ups (SQLite at 200 connections: 64 threads gave 13k token reads a second and
  /// 2.6k refreshes, 2 gave 22k and 4.1k).
  unsigned store_threads = 0;
  std::string public_url;  ///< how browsers reach the service; http://HOST:PORT by default (once listening)
  bool development = false;
  std::string store_url = "sqlite:oauth-service.db";
  /// OAUTH_ENCRYPTION_KEY: Fernet keys, newest first. Absent only in development mode.
  std::optional<std::string> encryption_keys;
  std::string bearer_secret;   ///< OAUTH_JWT_SECRET: signs the users' bearer tokens
  std::string service_secret;  ///< OAUTH_SERVICE_TOKEN_SECRET: signs server-to-server tokens
  BearerRules bearer_rules;
  std::vector<std::string> cors_origins;
  bool cors_credentials = false;
  std::vector<std::string> return_urls;  ///< where the callback may send the browser
  std::map<std::string, ProviderSettings> providers;
  std::string provider_ca_file;  ///< extra certificate authority for the providers' TLS (mocks)
  Limits limits;
  RateLimits rate_limits;
  std::chrono::seconds shutdown_grace{20};
  std::string access_log;  ///< a file for the JSON log lines; standard output when empty

  std::string callback_url(std::string_view provider) const {
    return public_url + "/api/v1/oauth/" + std::string(provider) + "/callback";
  }
  std::string connect_page_url() const { return public_url + "/connect"; }
};

/// The configuration, or every reason it is unsafe or unreadable, one per line.
struct ConfigProblems {
  std::vector<std::string> problems;
};

/// This machine's cores, at least 2: the threads of a setting left at 0.
unsigned cores();

/// How many threads call a store of `store_url` when the configuration does not say
/// (ServiceConfig::store_threads).
unsigned default_store_threads(std::string_view store_url);

/// Decimal digits and nothing else (no sign, space or NUL), at most `most`: how numbers
/// given as text (the environment, a query) are read.
std::optional<unsigned long> whole_number(std::string_view text, unsigned long most);

/// http://HOST:PORT, as a browser on this machine would reach a service listening there.
std::string default_public_url(std::string_view host, unsigned short port);

std::variant<ServiceConfig, ConfigProblems> load_config(std::vector<std::string> const& known_providers);

/// Applies a configuration file's text (a JSON object) to `config`, adding what does not
/// fit to `problems`. Names from the file are quoted printable; values are never repeated.
void read_config_file(std::string_view text, std::string_view path, std::vector<std::string> const& known_providers,
                      ServiceConfig& config, std::vector<std::string>& problems);

/// Why `config` is unsafe or unusable, one reason each; empty when it is fine.
std::vector<std::string> config_problems(ServiceConfig const& config);

}  // namespace oauth::service

#endif
