// The first steps of connecting accounts: an authorization URL for each provider, with
// CSRF state and PKCE, and a token encrypted at rest with the key from the environment.
//
//   quickstart                 run the walkthrough (needs OAUTH_ENCRYPTION_KEY)
//   quickstart --generate-key  print a new Fernet key for OAUTH_ENCRYPTION_KEY

#include <oauth/oauth.hpp>

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <cctype>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view redirect_uri = "http://localhost:8002/oauth/callback";

/// OAUTH_GOOGLE_CLIENT_ID and friends, or a placeholder that shows where the id goes.
std::string client_id_for(std::string_view provider) {
  std::string variable = "OAUTH_";
  for (char c : provider) variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  variable += "_CLIENT_ID";
  if (char const* id = std::getenv(variable.c_str()); id != nullptr && *id != '\0') return id;
  return "demo-" + std::string(provider) + "-client";
}

/// What an application might ask of each provider; short names are accepted.
std::vector<std::string_view> example_scopes(std::string_view provider) {
  if (provider == "google") return {"calendar.readonly", "drive.file"};
  if (provider == "microsoft") return {"Calendars.ReadWrite", "Mail.Read"};
  if (provider == "youtube") return {"youtube.upload"};
  return {};
}

template <class P>
bool show_authorization_url() {
  auto state = oauth::crypto::make_state();
  if (!state) return std::cerr << "  state: " << state.error().message() << '\n', false;
  std::optional<oauth::crypto::Pkce> pkce;
  if constexpr (P::supports_pkce) {
    auto made = oauth::crypto::make_pkce();
    if (!made) return std::cerr << "  PKCE: " << made.error().message() << '\n', false;
    pkce = std::move(*made);
  }

  auto const client_id = client_id_for(P::name);
  oauth::AuthorizationRequest request{client_id, redirect_uri, example_scopes(P::name), *state, std::nullopt, {}};
  if (pkce) request.code_challenge = pkce->challenge;
  auto url = oauth::authorization_url<P>(request);
  if (!url) return std::cerr << "  " << P::name << ": " << url.error().message() << '\n', false;

  auto const scopes = oauth::resolve_scopes<P>(request.scopes).value();
  std::cout << "  " << P::name << '\n'
            << "    open:    " << *url << '\n'
            << "    scopes:  " << (scopes.empty() ? "(none: chosen on the integration)" : oauth::join_scopes<P>(scopes))
            << '\n'
            << "    PKCE:    " << (pkce ? "S256 (the verifier stays on the server)" : "not supported by this provider")
            << '\n'
            << "    refresh: "
            << (P::supports_refresh ? (P::rotates_refresh_token ? "yes, rotating" : "yes") : "no")
            << "   revoke: " << (oauth::Revocable<P> ? "yes" : "local disconnect only") << "\n\n";
  return true;
}

bool show_encryption() {
  auto keyring = oauth::crypto::Keyring::from_environment();
  if (!keyring) {
    std::cerr << "error: " << keyring.error().message() << "\n"
              << "       make one with: quickstart --generate-key\n";
    return false;
  }
  oauth::AccessToken const token{"ya29.sample-access-token-for-the-quickstart"};
  auto sealed = keyring->encrypt(token.reveal());
  if (!sealed) return std::cerr << "error: " << sealed.error().message() << '\n', false;
  auto opened = keyring->decrypt(*sealed);
  if (!opened) return std::cerr << "error: " << opened.error().message() << '\n', false;

  std::cout << "Encryption at rest\n"
            << "  keys:      " << keyring->size() << " from OAUTH_ENCRYPTION_KEY (the first encrypts, all decrypt)\n"
            << "  token:     " << token << " (" << token.size() << " bytes)\n"
            << "  stored as: Fernet, " << sealed->size() << " characters, AES-128-CBC + HMAC-SHA256\n"
            << "  read back: " << (opened->plaintext == token.reveal() ? "identical" : "DIFFERENT") << ", with key #"
            << opened->key_index + 1 << "\n\n";
  return opened->plaintext == token.reveal();
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

  std::cout << "oauth " << OAUTH_VERSION_MAJOR << '.' << OAUTH_VERSION_MINOR << '.' << OAUTH_VERSION_PATCH
            << " quickstart\n\n";
  if (!show_encryption()) return 1;
  bool ok = true;

  std::cout << "Connect an account: send the user's browser to one of these\n"
            << "  (callback: " << redirect_uri << "; each URL has its own single-use state)\n\n";
  constexpr auto providers = boost::hana::tuple_t<oauth::providers::Google, oauth::providers::Microsoft<>,
                                                  oauth::providers::Notion, oauth::providers::YouTube>;
  boost::hana::for_each(providers, [&](auto provider) {
    ok = show_authorization_url<typename decltype(provider)::type>() && ok;
  });
  return ok ? 0 : 1;
}
