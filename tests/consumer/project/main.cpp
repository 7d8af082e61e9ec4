// What it uses, header by header, as a consumer includes them; every header compiling
// on its own is a test of the main tree.
#include <oauth/crypto/fernet.hpp>
#include <oauth/crypto/keyring.hpp>
#include <oauth/crypto/state.hpp>
#include <oauth/http/https_transport.hpp>
#include <oauth/protocol/authorization_url.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/store/sqlite.hpp>
#include <oauth/store/token_store.hpp>
#include <oauth/version.hpp>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <iostream>

int main() {
  auto key = oauth::crypto::Fernet::generate_key().value();
  auto fernet = oauth::crypto::Fernet::from_key(key).value();
  auto token = fernet.encrypt("consumer").value();
  if (fernet.decrypt(token).value() != "consumer") return 1;

  auto state = oauth::crypto::make_state().value();
  oauth::AuthorizationRequest request{"client", "https://app.example/callback", {}, state, std::nullopt, {}};
  auto url = oauth::authorization_url<oauth::providers::Notion>(request).value();
  if (!url.starts_with(oauth::providers::Notion::authorization_endpoint)) return 1;

  auto const path = std::filesystem::temp_directory_path() / "oauth-consumer.db";
  std::filesystem::remove(path);
  auto backend = oauth::store::SqliteBackend::open({.path = path.string()});
  if (!backend) return std::cerr << backend.error().message() << '\n', 1;
  oauth::TokenStore<oauth::store::SqliteBackend> tokens(std::move(*backend),
                                                        oauth::crypto::Keyring::from_list(key.reveal()).value());
  if (!tokens.list({"tenant", "user"}).value().empty()) return 1;
  std::filesystem::remove(path);

  // Declared only in compiled mode: linking says the library defines it.
  boost::asio::io_context io;
  oauth::HttpsTransport transport(io.get_executor(), {.max_idle_connections_per_host = 2});
  if (transport.idle_connections() != 0 || transport.options().max_idle_connections_per_host != 2) return 1;

  std::cout << "consumer: ok (oauth " << OAUTH_VERSION_MAJOR << '.' << OAUTH_VERSION_MINOR << ")\n";
}
