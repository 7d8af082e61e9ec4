#include "config.hpp"

#include "forwarded_for.hpp"

#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/keyring.hpp>
#include <oauth/detail/http/url.hpp>
#include <oauth/store/url.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace oauth::service {
namespace {

std::optional<std::string> env(std::string const& name) {
  char const* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto const comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

/// A name from the file as a problem may quote it: printable ASCII, the rest as \xNN, so
/// that a key cannot write control characters to the terminal that reads the problems.
std::string quoted(std::string_view name) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : name.substr(0, 100)) {
    auto const u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out + (name.size() > 100 ? "...\"" : "\"");
}

bool truthy(std::string_view value) { return value == "1" || value == "true" || value == "yes" || value == "on"; }

/// Reads a JSON object's members into the configuration, noting what does not fit.
class FileReader {
public:
  FileReader(ServiceConfig& config, std::vector<std::string>& problems) : config_(config), problems_(problems) {}

  void read(boost::json::object const& root, std::vector<std::string> const& known_providers) {
    for (auto const& [key, value] : root) {
      if (key == "host")
        text(value, key, config_.host);
      else if (key == "port")
        config_.port = static_cast<unsigned short>(number(value, key, 1, 65535, config_.port));
      else if (key == "threads")
        config_.threads = static_cast<unsigned>(number(value, key, 0, 256, config_.threads));
      else if (key == "store_threads")
        config_.store_threads = static_cast<unsigned>(number(value, key, 0, 1024, config_.store_threads));
      else if (key == "public_url")
        text(value, key, config_.public_url);
      else if (key == "development")
        flag(value, key, config_.development);
      else if (key == "store_url")
        text(value, key, config_.store_url);
      else if (key == "provider_ca_file")
        text(value, key, config_.provider_ca_file);
      else if (key == "access_log")
        text(value, key, config_.access_log);
      else if (key == "cors_origins")
        list(value, key, config_.cors_origins);
      else if (key == "cors_credentials")
        flag(value, key, config_.cors_credentials);
      else if (key == "return_urls")
        list(value, key, config_.return_urls);
      else if (key == "bearer_tenant_claim")
        text(value, key, config_.bearer_rules.tenant_claim);
      else if (key == "bearer_issuer")
        text(value, key, config_.bearer_rules.issuer);
      else if (key == "bearer_audience")
        text(value, key, config_.bearer_rules.audience);
      else if (key == "bearer_max_lifetime_seconds")
        config_.bearer_rules.max_lifetime =
            std::chrono::seconds(number(value, key, 60, 366 * 24 * 3600, config_.bearer_rules.max_lifetime.count()));
      else if (key == "max_body_bytes")
        config_.limits.max_body_bytes = number(value, key, 1024, 16 << 20, config_.limits.max_body_bytes);
      else if (key == "max_header_bytes")
        config_.limits.max_header_bytes = number(value, key, 1024, 1 << 20, config_.limits.max_header_bytes);
      else if (key == "max_connections")
        config_.limits.max_connections = number(value, key, 1, 1'000'000, config_.limits.max_connections);
      else if (key == "trusted_proxies")
        list(value, key, config_.limits.trusted_proxies);
      else if (key == "max_connections_per_address")
        config_.limits.max_connections_per_address =
            number(value, key, 1, 1'000'000, config_.limits.max_connections_per_address);
      else if (key == "header_timeout_seconds")
        seconds(value, key, config_.limits.header_timeout);
      else if (key == "request_timeout_seconds")
        seconds(value, key, config_.limits.request_timeout);
      else if (key == "idle_timeout_seconds")
        seconds(value, key, config_.limits.idle_timeout);
      else if (key == "shutdown_grace_seconds")
        seconds(value, key, config_.shutdown_grace);
      else if (key == "rate_limit_per_user_per_minute")
        real(value, key, config_.rate_limits.per_user_per_minute);
      else if (key == "rate_limit_per_user_burst")
        real(value, key, config_.rate_limits.per_user_burst);
      else if (key == "rate_limit_per_address_per_minute")
        real(value, key, config_.rate_limits.per_address_per_minute);
      else if (key == "rate_limit_per_address_burst")
        real(value, key, config_.rate_limits.per_address_burst);
      else if (key == "providers")
        providers(value, known_providers);
      else if (key == "encryption_keys" || key == "bearer_secret" || key == "service_secret")
        problems_.push_back("the configuration file must not hold " + std::string(key) + ": set it in the environment");
      else
        problems_.push_back("unknown setting " + quoted(key) + " in the configuration file");
    }
  }

private:
  void text(boost::json::value const& value, std::string_view key, std::string& out) {
    if (value.is_string())
      out = value.as_string();
    else
      problems_.push_back(std::string(key) + " must be a string");
  }
  void flag(boost::json::value const& value, std::string_view key, bool& out) {
    if (value.is_bool())
      out = value.as_bool();
    else
      problems_.push_back(std::string(key) + " must be true or false");
  }
  std::size_t number(boost::json::value const& value, std::string_view key, std::size_t low, std::size_t high,
                     std::size_t fallback) {
    if (value.is_int64() && value.as_int64() >= static_cast<std::int64_t>(low) &&
        value.as_int64() <= static_cast<std::int64_t>(high))
      return static_cast<std::size_t>(value.as_int64());
    problems_.push_back(std::string(key) + " must be a whole number from " + std::to_string(low) + " to " +
                        std::to_string(high));
    return fallback;
  }
  void real(boost::json::value const& value, std::string_view key, double& out) {
    if (value.is_number() && value.to_number<double>() >= 0)
      out = value.to_number<double>();
    else
      problems_.push_back(std::string(key) + " must be a number, 0 or more");
  }
  void seconds(boost::json::value const& value, std::string_view key, std::chrono::seconds& out) {
    out = std::chrono::seconds(number(value, key, 1, 3600, out.count()));
  }
  void list(boost::json::value const& value, std::string_view key, std::vector<std::string>& out) {
    out.clear();
    if (value.is_array()) {
      for (auto const& item : value.as_array()) {
        if (item.is_string())
          out.emplace_back(item.as_string());
        else
          problems_.push_back(std::string(key) + " must list strings");
      }
    } else {
      problems_.push_back(std::string(key) + " must be a list of strings");
    }
  }
  void providers(boost::json::value const& value, std::vector<std::string> const& known) {
    if (!value.is_object()) return problems_.push_back("providers must be an object keyed by provider name");
    for (auto const& [name, settings] : value.as_object()) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        problems_.push_back("unknown provider " + quoted(name));
        continue;
      }
      if (!settings.is_object()) {
        problems_.push_back("providers." + std::string(name) + " must be an object");
        continue;
      }
      auto& out = config_.providers[std::string(name)];
      for (auto const& [key, item] : settings.as_object()) {
        auto const where = "providers." + std::string(name) + "." + quoted(key);
        if (key == "client_id")
          text(item, where, out.client_id);
        else if (key == "endpoint_base")
          text(item, where, out.endpoint_base);
        else if (key == "client_secret") {
          std::string secret;
          text(item, where, secret);
          out.client_secret = ClientSecret(std::move(secret));
        } else {
          problems_.push_back("unknown setting " + where);
        }
      }
    }
  }

  ServiceConfig& config_;
  std::vector<std::string>& problems_;
};

bool is_loopback_url(std::string_view url) {
  auto endpoint = oauth::detail::http::parse_endpoint(url);
  return endpoint && oauth::detail::http::is_loopback_host(endpoint->host);
}

void check_safety(ServiceConfig const& config, std::vector<std::string>& problems) {
  if (!config.encryption_keys && !config.development)
    problems.push_back(
        "OAUTH_ENCRYPTION_KEY is not set: tokens cannot be encrypted at rest "
        "(make a key with: oauthctl keys generate; OAUTH_DEVELOPMENT=1 allows a throwaway key)");
  if (config.encryption_keys)
    if (auto keys = crypto::Keyring::from_list(*config.encryption_keys); !keys)
      problems.push_back("OAUTH_ENCRYPTION_KEY: " + keys.error().message());
  if (config.bearer_secret.size() < 32)
    problems.push_back("OAUTH_JWT_SECRET must be set to at least 32 bytes: it verifies the callers' bearer tokens");
  if (!config.service_secret.empty() && config.service_secret.size() < 32)
    problems.push_back("OAUTH_SERVICE_TOKEN_SECRET must be at least 32 bytes");
  if (!config.service_secret.empty() && crypto::constant_time_equal(config.service_secret, config.bearer_secret))
    problems.push_back(
        "OAUTH_SERVICE_TOKEN_SECRET must differ from OAUTH_JWT_SECRET: "
        "a user's bearer token must not open the token route");
  for (auto const& origin : config.cors_origins) {
    if (origin == "*" && config.cors_credentials)
      problems.push_back("a wildcard CORS origin cannot be combined with credentials: list the origins");
    else if (origin == "*" && !config.development)
      problems.push_back("a wildcard CORS origin is allowed in development mode only");
    else if (origin != "*" && !oauth::detail::http::parse_endpoint(origin + "/"))
      problems.push_back("CORS origin " + quoted(origin) + " is not an origin (scheme://host[:port])");
  }
  auto const public_url = config.public_url.empty() ? default_public_url(config.host, config.port) : config.public_url;
  auto public_endpoint = oauth::detail::http::parse_endpoint(public_url);
  if (!public_endpoint)
    problems.push_back("public_url " + quoted(public_url) + " is not an absolute URL");
  else if (!public_endpoint->tls && !config.development && !is_loopback_url(public_url))
    problems.push_back("public_url must be https outside development mode: callbacks carry authorization codes");
  for (auto const& proxy : config.limits.trusted_proxies)
    if (!canonical_address(proxy)) problems.push_back("trusted proxy " + quoted(proxy) + " is not an IP address");
  for (auto const& url : config.return_urls)
    if (!oauth::detail::http::parse_endpoint(url))
      problems.push_back("return URL " + quoted(url) + " is not an absolute URL");
  for (auto const& [name, provider] : config.providers) {
    if (provider.client_id.empty()) problems.push_back(name + ": client id is not set");
    if (!provider.endpoint_base.empty() && !oauth::detail::http::parse_endpoint(provider.endpoint_base))
      problems.push_back(name + ": endpoint base is not an absolute URL");
    else if (!provider.endpoint_base.starts_with("https://") && !provider.endpoint_base.empty() &&
             !(config.development && is_loopback_url(provider.endpoint_base)))
      problems.push_back(name + ": a plain-HTTP endpoint base is allowed in development mode, on loopback only");
  }
  if (auto store = store::StoreUrl::parse(config.store_url); !store)
    problems.push_back("store URL: " + store.error().message());
}

}  // namespace

unsigned cores() { return std::max(2u, std::thread::hardware_concurrency()); }

unsigned default_store_threads(std::string_view store_url) {
  auto const store = store::StoreUrl::parse(store_url);
  bool const waits_on_network =
      store && (store->kind == store::StoreKind::postgres || store->kind == store::StoreKind::redis);
  if (waits_on_network) return 64;
  return cores();
}

std::optional<unsigned long> whole_number(std::string_view text, unsigned long most) {
  unsigned long value = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() < '0' || text.front() > '9' || ec != std::errc{} ||
      end != text.data() + text.size() || value > most)
    return std::nullopt;
  return value;
}

std::string default_public_url(std::string_view host, unsigned short port) {
  bool const any = host == "0.0.0.0" || host == "::";
  bool const v6 = host.find(':') != std::string_view::npos;
  return "http://" +
         (any  ? std::string("127.0.0.1")
          : v6 ? "[" + std::string(host) + "]"
               : std::string(host)) +
         ":" + std::to_string(port);
}

void read_config_file(std::string_view text, std::string_view path, std::vector<std::string> const& known_providers,
                      ServiceConfig& config, std::vector<std::string>& problems) {
  boost::system::error_code ec;
  auto root = boost::json::parse(text, ec);
  if (ec || !root.is_object())
    problems.push_back("the configuration file " + std::string(path) + " is not a JSON object");
  else
    FileReader(config, problems).read(root.as_object(), known_providers);
}

std::vector<std::string> config_problems(ServiceConfig const& config) {
  std::vector<std::string> problems;
  check_safety(config, problems);
  return problems;
}

std::variant<ServiceConfig, ConfigProblems> load_config(std::vector<std::string> const& known_providers) {
  ServiceConfig config;
  std::vector<std::string> problems;

  if (auto path = env("OAUTH_SERVICE_CONFIG")) {
    std::ifstream file(*path);
    std::stringstream text;
    text << file.rdbuf();
    if (!file)
      problems.push_back("cannot read the configuration file " + *path);
    else
      read_config_file(text.str(), *path, known_providers, config, problems);
  }

  if (auto v = env("OAUTH_SERVICE_HOST")) config.host = *v;
  if (auto v = env("OAUTH_SERVICE_PORT")) {
    if (auto port = whole_number(*v, 65535))
      config.port = static_cast<unsigned short>(*port);
    else
      problems.push_back("OAUTH_SERVICE_PORT must be a port number");
  }
  if (auto v = env("OAUTH_SERVICE_THREADS")) {
    if (auto threads = whole_number(*v, 256))
      config.threads = static_cast<unsigned>(*threads);
    else
      problems.push_back("OAUTH_SERVICE_THREADS must be a number from 0 to 256");
  }
  if (auto v = env("OAUTH_STORE_THREADS")) {
    if (auto threads = whole_number(*v, 1024))
      config.store_threads = static_cast<unsigned>(*threads);
    else
      problems.push_back("OAUTH_STORE_THREADS must be a number from 0 to 1024");
  }
  if (auto v = env("OAUTH_PUBLIC_URL")) config.public_url = *v;
  if (auto v = env("OAUTH_DEVELOPMENT")) config.development = truthy(*v);
  if (auto v = env("OAUTH_STORE_URL")) config.store_url = *v;
  if (auto v = env("OAUTH_CORS_ORIGINS")) config.cors_origins = split_list(*v);
  if (auto v = env("OAUTH_CORS_CREDENTIALS")) config.cors_credentials = truthy(*v);
  if (auto v = env("OAUTH_RETURN_URLS")) config.return_urls = split_list(*v);
  if (auto v = env("OAUTH_TRUSTED_PROXIES")) config.limits.trusted_proxies = split_list(*v);
  if (auto v = env("OAUTH_PROVIDER_CA_FILE")) config.provider_ca_file = *v;
  if (auto v = env("OAUTH_ACCESS_LOG")) config.access_log = *v;
  if (auto keys = crypto::Keyring::configured_keys())
    config.encryption_keys = std::move(*keys);
  else
    problems.push_back(keys.error().message());
  config.bearer_secret = env("OAUTH_JWT_SECRET").value_or("");
  config.service_secret = env("OAUTH_SERVICE_TOKEN_SECRET").value_or("");
  for (auto const& name : known_providers) {
    auto given = examples::provider_from_environment(name);
    if (!given) continue;
    auto& provider = config.providers[name];
    if (!given->client_id.empty()) provider.client_id = given->client_id;
    if (!given->client_secret.reveal().empty()) provider.client_secret = given->client_secret;
    if (!given->endpoint_base.empty()) provider.endpoint_base = given->endpoint_base;
  }

  while (config.public_url.ends_with('/')) config.public_url.pop_back();
  // Written as a peer's address is, so that they compare equal: "0:0::1" is "::1".
  for (auto& proxy : config.limits.trusted_proxies)
    if (auto canonical = canonical_address(proxy)) proxy = std::move(*canonical);

  check_safety(config, problems);
  if (!problems.empty()) return ConfigProblems{std::move(problems)};
  if (config.store_threads == 0) config.store_threads = default_store_threads(config.store_url);
  return config;
}

}  // namespace oauth::service
