#include <oauth/oauth.hpp>

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

  std::cout << "consumer: ok (oauth " << OAUTH_VERSION_MAJOR << '.' << OAUTH_VERSION_MINOR << ")\n";
}
