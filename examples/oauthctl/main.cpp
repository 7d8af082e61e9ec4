// oauthctl: connects accounts from a terminal, with the native-app flow of RFC 8252, and
// looks after the credentials it keeps (encrypted, in a file only its owner can read).
//
//   oauthctl connect PROVIDER [--scope S]... [--no-browser] [--timeout SECONDS]
//   oauthctl status
//   oauthctl validate [ID]
//   oauthctl disconnect ID
//   oauthctl keys generate | keys rotate
//   oauthctl encrypt [--key KEY] | decrypt [--key KEY]     one item a line, stdin to stdout
//
// Environment: OAUTH_ENCRYPTION_KEY (Fernet keys, newest first); OAUTH_<PROVIDER>_CLIENT_ID,
// _CLIENT_SECRET and _ENDPOINT_BASE; OAUTHCTL_STORE (default ~/.config/oauthctl/tokens.db);
// OAUTH_PROVIDER_CA_FILE (another certificate authority for the providers' TLS).

#include "common/provider_environment.hpp"
#include "common/providers.hpp"
#include "loopback_redirect.hpp"

#include <oauth/oauth.hpp>
#include <oauth/store/key_rotation.hpp>
#include <oauth/store/sqlite.hpp>

#include <boost/hana/for_each.hpp>

#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace {

using namespace oauth;
using CliManager = examples::Providers::Manager;
using Store = TokenStore<store::SqliteBackend>;

constexpr auto validation_warning = std::chrono::days(30);
constexpr auto validation_overdue = std::chrono::days(90);

/// What went wrong, and what the person at the terminal can do about it.
struct Failure {
  std::string text;
  int status = 1;
};

std::string env_or(char const* name, std::string fallback) {
  char const* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

/// Who the credentials belong to: the person at this terminal.
Owner const& owner() {
  static std::string const user = env_or("OAUTHCTL_USER", env_or("USER", "me"));
  static Owner const who{"local", user};
  return who;
}

std::filesystem::path store_path() {
  if (char const* given = std::getenv("OAUTHCTL_STORE"); given != nullptr && *given != '\0') return given;
  std::filesystem::path config = env_or("XDG_CONFIG_HOME", "");
  if (config.empty()) config = std::filesystem::path(env_or("HOME", ".")) / ".config";
  return config / "oauthctl" / "tokens.db";
}

crypto::Keyring keyring_from(std::optional<std::string> const& given) {
  auto keys = given ? crypto::Keyring::from_list(*given) : crypto::Keyring::from_environment();
  if (!keys)
    throw Failure{keys.error().message() +
                  "\nMake a key with `oauthctl keys generate` and export it as OAUTH_ENCRYPTION_KEY."};
  return std::move(*keys);
}

/// The credential file, made readable by its owner only: tokens are encrypted in it, but
/// what it reveals (accounts, scopes) is nobody else's business either.
Store open_store() {
  auto keyring = keyring_from(std::nullopt);
  auto const path = store_path();
  ::umask(077);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  auto backend = store::SqliteBackend::open({.path = path.string()});
  if (!backend) throw Failure{"cannot open the credential file " + path.string() + ": " + backend.error().message()};
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  return Store(std::move(*backend), std::move(keyring));
}

HttpsTransport make_transport(boost::asio::any_io_executor executor) {
  auto tls = HttpsTransport::default_tls_context();
  if (auto ca = env_or("OAUTH_PROVIDER_CA_FILE", ""); !ca.empty()) {
    boost::system::error_code ec;
    tls.load_verify_file(ca, ec);
    if (ec) throw Failure{"cannot read OAUTH_PROVIDER_CA_FILE " + ca + ": " + ec.message()};
  }
  TransportOptions options;
  options.allow_plain_http_to_loopback = env_or("OAUTH_DEVELOPMENT", "") == "1";
  return HttpsTransport(std::move(executor), std::move(tls), options);
}

/// The manager with every provider the environment names, each allowed `redirect_uri`.
void configure(CliManager& manager, std::string const& redirect_uri) {
  boost::hana::for_each(examples::Providers::types, [&](auto type) {
    using P = typename decltype(type)::type;
    auto settings = examples::provider_from_environment(P::name);
    if (!settings) return;
    auto configured = manager.template configure<P>(
        {settings->client_id, settings->client_secret, {redirect_uri}, settings->endpoint_base});
    if (!configured) throw Failure{std::string(P::name) + ": " + configured.error().message()};
  });
}

/// Runs `f(std::type_identity<P>{})` for the provider called `name`.
template <class F>
void with_provider(CliManager& manager, std::string_view name, F&& f) {
  if (!manager.visit_provider(name, std::forward<F>(f)))
    throw Failure{"unknown provider \"" + std::string(name) + "\": choose google, microsoft, notion or youtube", 2};
}

std::string days_ago(TimePoint at) {
  auto const days = std::chrono::duration_cast<std::chrono::days>(Clock::now() - at).count();
  return days == 0 ? "today" : days == 1 ? "1 day ago" : std::to_string(days) + " days ago";
}

std::string account_of(Integration const& integration) {
  auto const& identity = integration.identity;
  if (identity.workspace) return "workspace \"" + identity.workspace->name.value_or(identity.workspace->id) + "\"";
  return identity.email.value_or(identity.name.value_or(integration.account_id));
}

/// What to do about a failed connection, in words for the person at the terminal.
std::string advice(std::string_view provider, Error const& error, std::string const& redirect_uri) {
  std::string const p(provider);
  auto const variable = examples::environment_prefix(provider);
  if (error.message().find("redirect_uri") != std::string::npos || error == Errc::redirect_uri_not_allowed)
    return p + " does not accept the redirect address " + redirect_uri +
           ".\nRegister http://127.0.0.1 as a redirect URI of this client at " + p +
           " (a loopback redirect may use any port: RFC 8252, section 7.3), then run the command again.";
  if (error == Errc::access_denied)
    return "You cancelled on " + p + "'s consent page, so nothing was connected.\nRun `oauthctl connect " + p +
           "` again and choose Allow to connect.";
  if (error == Errc::invalid_client || error == Errc::unauthorized_client)
    return p + " does not accept this application's client id or secret.\nCheck " + variable + "CLIENT_ID and " +
           variable + "CLIENT_SECRET against the application's registration at " + p + ".";
  if (error == Errc::connection_failed || error == Errc::timeout || error == Errc::tls_failure)
    return "Could not reach " + p + " (" + error.code.message() +
           ").\nCheck your network connection and any proxy, then run the command again.";
  if (is_transient(error)) return p + " is busy or unavailable right now. Try again in a few minutes.";
  if (error == Errc::issuer_mismatch)
    return "The answer did not come from " + p +
           " (it named another issuer), so nothing was connected.\n"
           "Run the command again and sign in on " +
           p + "'s own page.";
  if (error == Errc::state_not_found || error == Errc::state_expired || error == Errc::state_already_used ||
      error == Errc::state_mismatch)
    return "The answer did not belong to this attempt (it expired or came from another one). Run the command again.";
  return "Connecting " + p + " failed: " + error.message();
}

void open_in_browser(std::string const& url) {
  if (env_or("DISPLAY", "").empty() && env_or("WAYLAND_DISPLAY", "").empty()) return;
  std::string program = "xdg-open";
  char* argv[] = {program.data(), const_cast<char*>(url.c_str()), nullptr};
  pid_t pid = 0;
  posix_spawnp(&pid, "xdg-open", nullptr, nullptr, argv, environ);
}

// ---- commands ---------------------------------------------------------------------

int connect(std::string_view provider, std::vector<std::string> scopes, bool browser, std::chrono::seconds timeout) {
  auto store = open_store();
  Runtime runtime(1);
  CliManager manager(runtime.executor(), store, make_transport(runtime.executor()));
  oauthctl::LoopbackRedirect listener;
  auto const redirect_uri = listener.redirect_uri();
  configure(manager, redirect_uri);

  with_provider(manager, provider, [&](auto type) {
    using P = typename decltype(type)::type;
    auto const session = crypto::random_token(24).value();
    auto started = manager.template initiate_flow<P>(
        {std::string(owner().tenant_id), std::string(owner().user_id), session, scopes, redirect_uri, {}});
    if (!started) {
      if (started.error() == Errc::provider_not_configured)
        throw Failure{std::string(P::name) + " is not configured: set " + examples::environment_prefix(P::name) +
                      "CLIENT_ID and " + examples::environment_prefix(P::name) + "CLIENT_SECRET."};
      throw Failure{advice(P::name, started.error(), redirect_uri)};
    }
    std::cout << "Open this address in your browser to connect " << P::name << ":\n\n  " << started->authorization_url
              << "\n\nWaiting for " << P::name << " to send you back to " << redirect_uri << " ..." << std::endl;
    if (browser) open_in_browser(started->authorization_url);

    auto answer = listener.wait(timeout);
    if (!answer)
      throw Failure{
          "No answer came back to " + redirect_uri + " within " + std::to_string(timeout.count()) + " s.\nIf " +
          std::string(P::name) +
          " showed an error such as redirect_uri_mismatch, register http://127.0.0.1 (any port, RFC 8252) "
          "as a redirect URI of this client; otherwise run the command again and finish on the consent page."};
    FlowCallback callback;
    callback.state = (*answer)["state"];
    callback.code = AuthorizationCode((*answer)["code"]);
    callback.error = (*answer)["error"];
    callback.error_description = (*answer)["error_description"];
    if (auto iss = answer->find("iss"); iss != answer->end()) callback.iss = iss->second;
    if (auto description = (*answer)["error_description"]; description.find("redirect_uri") != std::string::npos)
      throw Failure{advice(P::name, Error(Errc::redirect_uri_not_allowed, description), redirect_uri)};
    callback.session_id = session;
    callback.client_ip = "127.0.0.1";
    callback.user_agent = "oauthctl";
    auto integration = manager.template complete_flow<P>(std::move(callback));
    if (!integration) throw Failure{advice(P::name, integration.error(), redirect_uri)};
    std::cout << "Connected " << P::name << ": " << account_of(*integration) << " (integration " << integration->id
              << ").\nThe credential is encrypted in " << store_path().string() << "." << std::endl;
  });
  return 0;
}

int status() {
  auto store = open_store();
  auto records = store.list(owner());
  if (!records) throw Failure{"cannot read the credentials: " + records.error().message()};
  if (records->empty()) {
    std::cout << "No connected accounts. Connect one with: oauthctl connect PROVIDER\n";
    return 0;
  }
  std::cout << std::left << std::setw(24) << "ID" << std::setw(11) << "PROVIDER" << std::setw(32) << "ACCOUNT"
            << std::setw(14) << "STATUS"
            << "LAST VALIDATED\n";
  std::vector<std::string> warnings;
  for (auto const& record : *records) {
    auto const integration = Integration::from(record);
    std::cout << std::setw(24) << integration.id << std::setw(11) << integration.provider << std::setw(32)
              << account_of(integration) << std::setw(14) << to_string(integration.status)
              << (integration.last_validated_at ? days_ago(*integration.last_validated_at) : "never") << '\n';
    if (integration.status != IntegrationStatus::active) {
      if (integration.status == IntegrationStatus::needs_reauth)
        warnings.push_back(integration.id + " (" + integration.provider + ") needs you again: run oauthctl connect " +
                           integration.provider);
      continue;
    }
    auto const since = integration.last_validated_at.value_or(integration.created_at);
    auto const idle = std::chrono::duration_cast<std::chrono::days>(Clock::now() - since);
    auto const subject =
        integration.id + " (" + integration.provider + ") " +
        (integration.last_validated_at ? "has not been validated for " : "has never been validated, in ") +
        std::to_string(idle.count()) + " days";
    if (idle >= validation_overdue)
      warnings.push_back(subject + ": validate it now with `oauthctl validate " + integration.id +
                         "`; a credential unchecked this long may have been revoked.");
    else if (idle >= validation_warning)
      warnings.push_back(subject + "; validate it before it reaches 90: oauthctl validate " + integration.id);
  }
  for (auto const& warning : warnings) std::cout << "warning: " << warning << '\n';
  return 0;
}

int validate(std::optional<std::string> only) {
  auto store = open_store();
  Runtime runtime(1);
  CliManager manager(runtime.executor(), store, make_transport(runtime.executor()));
  configure(manager, "http://127.0.0.1/callback");
  auto records = store.list(owner());
  if (!records) throw Failure{"cannot read the credentials: " + records.error().message()};
  int failures = 0;
  bool found = false;
  for (auto const& record : *records) {
    if (only ? record.id != *only : record.status == IntegrationStatus::disconnected) continue;
    found = true;
    with_provider(manager, record.provider, [&](auto type) {
      using P = typename decltype(type)::type;
      auto checked =
          manager.template validate<P>(std::string(owner().tenant_id), std::string(owner().user_id), record.id);
      if (!checked) {
        ++failures;
        std::cout << record.id << " (" << P::name << "): could not check: " << advice(P::name, checked.error(), "")
                  << '\n';
      } else if (!checked->valid) {
        ++failures;
        std::cout << record.id << " (" << P::name << "): " << P::name
                  << " no longer accepts it. Connect again with: oauthctl connect " << P::name << '\n';
      } else {
        std::cout << record.id << " (" << P::name << "): valid, " << account_of(checked->integration) << '\n';
      }
    });
  }
  if (only && !found) throw Failure{"no integration " + *only + " (see oauthctl status)"};
  return failures == 0 ? 0 : 1;
}

int disconnect(std::string const& id) {
  auto store = open_store();
  auto record = store.find(owner(), id);
  if (!record) throw Failure{"no integration " + id + " (see oauthctl status)"};
  Runtime runtime(1);
  CliManager manager(runtime.executor(), store, make_transport(runtime.executor()));
  configure(manager, "http://127.0.0.1/callback");
  with_provider(manager, record->provider, [&](auto type) {
    using P = typename decltype(type)::type;
    auto done = manager.template disconnect<P>(std::string(owner().tenant_id), std::string(owner().user_id), id);
    if (!done) throw Failure{"disconnecting failed: " + done.error().message()};
    std::cout << "Disconnected " << P::name << " (" << account_of(done->integration) << ")";
    if (done->revoked_at_provider)
      std::cout << "; " << P::name << " revoked the grant";
    else if (done->revocation_error)
      std::cout << "; " << P::name << " could not revoke it (" << done->revocation_error->code.message()
                << "): remove the application in your " << P::name << " account settings";
    std::cout << ".\n";
  });
  return 0;
}

int rotate_keys() {
  auto store = open_store();
  KeyRotation<store::SqliteBackend> rotation(store);
  auto progress = rotation.run();
  if (!progress) throw Failure{"the rotation stopped: " + progress.error().message() + " (run it again to resume)"};
  std::cout << "Moved " << progress->reencrypted << " of " << progress->examined << " credentials to key "
            << progress->key_id << " (" << progress->already_current << " already under it).\n";
  for (auto const& [id, error] : progress->failures)
    std::cout << "warning: " << id << " opens with none of the configured keys: " << error.code.message() << '\n';
  if (progress->failures.empty())
    std::cout << "Every credential is under the newest key: the older keys can be removed from OAUTH_ENCRYPTION_KEY.\n";
  return progress->failures.empty() ? 0 : 1;
}

/// Fernet, line by line: the plaintexts or tokens on standard input, one a line.
int transform(bool encrypt, std::optional<std::string> const& key) {
  auto keys = keyring_from(key);
  int failures = 0;
  std::size_t number = 0;
  for (std::string line; std::getline(std::cin, line);) {
    ++number;
    if (encrypt) {
      auto token = keys.encrypt(line);
      if (!token) throw Failure{"encryption failed: " + token.error().message()};
      std::cout << *token << '\n';
    } else {
      auto plain = keys.decrypt(line);
      if (plain) {
        std::cout << plain->plaintext << '\n';
      } else {
        ++failures;
        std::cout << '\n';
        std::cerr << "line " << number << ": " << plain.error().code.message() << '\n';
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

int usage() {
  std::cerr << "usage: oauthctl connect PROVIDER [--scope SCOPE]... [--no-browser] [--timeout SECONDS]\n"
               "       oauthctl status | validate [ID] | disconnect ID\n"
               "       oauthctl keys generate | keys rotate\n"
               "       oauthctl encrypt [--key KEY] | decrypt [--key KEY]\n";
  return 2;
}

int run(std::vector<std::string_view> args) {
  if (args.empty()) return usage();
  auto const command = args[0];
  if (command == "connect" && args.size() >= 2) {
    std::vector<std::string> scopes;
    bool browser = true;
    std::chrono::seconds timeout{300};
    for (std::size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "--scope" && i + 1 < args.size())
        scopes.emplace_back(args[++i]);
      else if (args[i] == "--no-browser")
        browser = false;
      else if (args[i] == "--timeout" && i + 1 < args.size())
        timeout = std::chrono::seconds(std::stoi(std::string(args[++i])));
      else
        return usage();
    }
    return connect(args[1], std::move(scopes), browser, timeout);
  }
  if (command == "status" && args.size() == 1) return status();
  if (command == "validate" && args.size() <= 2)
    return validate(args.size() == 2 ? std::optional<std::string>(args[1]) : std::nullopt);
  if (command == "disconnect" && args.size() == 2) return disconnect(std::string(args[1]));
  if (command == "keys" && args.size() == 2 && args[1] == "generate") {
    auto key = crypto::Fernet::generate_key();
    if (!key) throw Failure{key.error().message()};
    std::cout << key->reveal() << '\n';
    return 0;
  }
  if (command == "keys" && args.size() == 2 && args[1] == "rotate") return rotate_keys();
  if ((command == "encrypt" || command == "decrypt") && (args.size() == 1 || (args.size() == 3 && args[1] == "--key")))
    return transform(command == "encrypt", args.size() == 3 ? std::optional<std::string>(args[2]) : std::nullopt);
  return usage();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string_view>(argv + 1, argv + argc));
  } catch (Failure const& failure) {
    std::cerr << "oauthctl: " << failure.text << '\n';
    return failure.status;
  } catch (std::exception const& e) {
    std::cerr << "oauthctl: " << e.what() << '\n';
    return 1;
  }
}
