// The whole life of a connected account, for each built-in provider, against mock
// providers started in this process over HTTPS: authorize, consent, callback, a token
// on demand, a refresh, and disconnect. Nothing secret is printed.
//
//   quickstart                 run the walkthrough (tokens encrypted with OAUTH_ENCRYPTION_KEY)
//   quickstart --generate-key  print a new Fernet key for OAUTH_ENCRYPTION_KEY
//
// Tokens are kept where OAUTH_STORE_URL says: SQLite in oauth-quickstart.db by default,
// or postgresql://..., redis://..., memory:.

#include "common/providers.hpp"
#include "support/mock_provider.hpp"

#include <oauth/oauth.hpp>
#include <oauth/store/open.hpp>

#include <boost/hana/for_each.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {
/// The scope parameter of an authorization URL, for display.
template <class P>
std::string query_params_summary(std::string const& url) {
  auto params = testing::query_params(url);
  auto scope = params["scope"];
  return scope.empty() ? "(none: Notion integrations choose capabilities, users choose pages)" : scope;
}
}  // namespace oauth

namespace {

using oauth::providers::Google;
using oauth::providers::Microsoft;
using oauth::providers::Notion;
using oauth::providers::YouTube;
using Manager = oauth::examples::Providers::Manager;
using oauth::testing::Flavor;

constexpr std::string_view redirect_uri = "https://app.example/oauth/callback";

template <class P>
constexpr Flavor flavor() {
  if constexpr (std::is_same_v<P, Google>)
    return Flavor::google;
  else if constexpr (std::is_same_v<P, YouTube>)
    return Flavor::youtube;
  else if constexpr (std::is_same_v<P, Notion>)
    return Flavor::notion;
  else
    return Flavor::microsoft;
}

/// What an application might ask of each provider; short names are accepted.
template <class P>
std::vector<std::string> example_scopes() {
  if constexpr (flavor<P>() == Flavor::google)
    return {"calendar.readonly", "drive.file"};
  else if constexpr (flavor<P>() == Flavor::microsoft)
    return {"Calendars.ReadWrite"};
  else if constexpr (flavor<P>() == Flavor::youtube)
    return {"youtube.upload"};
  else
    return {};
}

std::string minutes_until(std::optional<oauth::TimePoint> at) {
  if (!at) return "does not expire";
  auto const left = std::chrono::duration_cast<std::chrono::minutes>(*at - oauth::Clock::now());
  return "expires in " + std::to_string(left.count()) + " min";
}

std::string who(oauth::Integration const& integration) {
  auto const& identity = integration.identity;
  std::string text = identity.name.value_or(integration.account_id);
  if (identity.email) text += " <" + *identity.email + ">";
  if (identity.workspace) text += ", workspace \"" + identity.workspace->name.value_or(identity.workspace->id) + "\"";
  return text;
}

struct Failed {
  std::string step;
  oauth::Error error;
};

template <class P>
void walk(Manager& manager, oauth::testing::TestCertificates const& tls) {
  auto check = [](std::string step, auto result) {
    if (!result) throw Failed{std::move(step), result.error()};
    return std::move(*result);
  };
  std::cout << P::name << '\n';

  auto start = check(
      "initiate", manager.initiate_flow<P>(
                      {"acme-corp", "ada", "browser-session-1", example_scopes<P>(), std::string(redirect_uri), {}}));
  auto const url = std::string_view(start.authorization_url);
  std::cout << "  1. initiate  send the browser to " << url.substr(0, url.find('?')) << "\n"
            << "                scopes " << oauth::query_params_summary<P>(start.authorization_url) << "\n";

  auto answer = oauth::testing::consent(start.authorization_url, &tls);
  if (answer.code.empty()) throw Failed{"consent", oauth::Error(oauth::Errc::access_denied, answer.error)};
  std::cout << "  2. consent   the user approved; the provider sent the browser back with a code\n";

  oauth::FlowCallback callback;
  callback.state = answer.state;
  callback.code = oauth::AuthorizationCode(answer.code);
  callback.session_id = "browser-session-1";
  callback.client_ip = "203.0.113.7";
  callback.user_agent = "quickstart";
  auto replay = callback;
  auto integration = check("callback", manager.complete_flow<P>(std::move(callback)));
  std::cout << "  3. callback  state checked, code exchanged: connected " << who(integration) << "\n";
  auto replayed = manager.complete_flow<P>(std::move(replay));
  std::cout << "               the same callback again is refused: "
            << (replayed ? std::string("ACCEPTED (wrong)") : replayed.error().message()) << "\n";

  auto token = check("token", manager.get_access_token<P>("acme-corp", "ada", integration.id));
  std::cout << "  4. token     access token " << token.access_token << ", " << minutes_until(token.expires_at) << "\n";

  auto refreshed = check("refresh", manager.refresh<P>("acme-corp", "ada", integration.id));
  std::cout << "  5. refresh   new access token " << refreshed.access_token << ", "
            << (P::rotates_refresh_token ? "the rotated refresh token stored with it"
                                         : "the refresh token kept (not rotated)")
            << "\n";

  auto done = check("disconnect", manager.disconnect<P>("acme-corp", "ada", integration.id));
  std::cout << "  6. revoke    "
            << (done.revoked_at_provider ? "revoked at " + std::string(P::name) + ", then"
                                         : "no revocation endpoint, so locally:")
            << " tokens and consent deleted; integration " << oauth::to_string(done.integration.status) << "\n\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--generate-key") {
    auto key = oauth::crypto::Fernet::generate_key();
    if (!key) return std::cerr << "error: " << key.error().message() << '\n', 1;
    std::cout << key->reveal() << '\n';
    return 0;
  }
  if (argc != 1) return std::cerr << "usage: quickstart [--generate-key]\n", 2;

  auto keyring = oauth::crypto::Keyring::from_environment();
  if (!keyring) {
    std::cerr << "error: " << keyring.error().message() << "\n       make one with: quickstart --generate-key\n";
    return 1;
  }
  char const* configured_url = std::getenv("OAUTH_STORE_URL");
  std::string const store_url =
      configured_url != nullptr && *configured_url != '\0' ? configured_url : "sqlite:oauth-quickstart.db";
  auto backend = oauth::store::open_backend(store_url);
  if (!backend) {
    std::cerr << "error: cannot open the token store " << store_url << ": " << backend.error().message() << '\n';
    return 1;
  }
  std::cout << "oauth " << OAUTH_VERSION_MAJOR << '.' << OAUTH_VERSION_MINOR << '.' << OAUTH_VERSION_PATCH
            << " quickstart: four providers, each a mock on loopback over HTTPS\n"
            << "tokens are encrypted at rest with the key in OAUTH_ENCRYPTION_KEY, in the store " << store_url
            << "\n\n";

  auto const tls = oauth::testing::TestCertificates::make();
  oauth::Runtime runtime{2};
  oauth::TokenStore<oauth::store::AnyBackend> store(std::move(*backend), std::move(*keyring));
  auto tls_context = oauth::HttpsTransport::default_tls_context();
  tls_context.add_certificate_authority(boost::asio::buffer(tls.ca_pem));
  Manager manager(runtime.executor(), store, oauth::HttpsTransport(runtime.executor(), std::move(tls_context)));

  int failures = 0;
  boost::hana::for_each(oauth::examples::Providers::types, [&](auto type) {
    using P = typename decltype(type)::type;
    oauth::testing::MockProvider mock({.flavor = flavor<P>(), .tls = &tls});
    auto configured = manager.configure<P>(
        {"client-id", oauth::ClientSecret("client-secret"), {std::string(redirect_uri)}, mock.base_url()});
    try {
      if (!configured) throw Failed{"configure", configured.error()};
      walk<P>(manager, tls);
    } catch (Failed const& failed) {
      ++failures;
      std::cout << "  " << failed.step << " failed: " << failed.error.message() << "\n\n";
    }
  });

  auto log = store.audit_log({"acme-corp", "ada"}).value();
  std::cout << "audit log: " << log.size() << " events for ada at acme-corp, for example:\n";
  for (std::size_t i = 0; i < log.size() && i < 6; ++i)
    std::cout << "  " << oauth::to_string(log[i].action) << " " << log[i].provider << " "
              << (log[i].success ? "ok" : "failed: " + log[i].reason) << "\n";
  std::cout << (failures == 0 ? "\nall four providers: connected, used, refreshed and disconnected\n"
                              : "\nsome providers failed\n");
  return failures == 0 ? 0 : 1;
}
