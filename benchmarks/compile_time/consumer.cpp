// (b) A new user's first service: a provider of their own, a Manager of it, tokens in
// SQLite, and a call of the provider's API through the authorized client.
#include <oauth/json_fields.hpp>
#include <oauth/manager.hpp>
#include <oauth/provider.hpp>
#include <oauth/store/sqlite.hpp>

#include <boost/asio/io_context.hpp>

#include <array>
#include <iostream>
#include <string_view>

struct Acme {
  static constexpr std::string_view name = "acme";
  static constexpr std::string_view authorization_endpoint = "https://id.acme.example/authorize";
  static constexpr std::string_view token_endpoint = "https://id.acme.example/token";
  static constexpr std::string_view userinfo_endpoint = "https://id.acme.example/me";
  static constexpr oauth::ClientAuth token_auth = oauth::ClientAuth::basic;
  static constexpr oauth::BodyFormat token_body = oauth::BodyFormat::form;
  static constexpr bool supports_refresh = true;
  static constexpr bool rotates_refresh_token = true;
  static constexpr bool supports_pkce = true;
  static constexpr std::string_view scope_separator = " ";
  static constexpr auto scopes = std::array{
      oauth::Scope{.name = "profile", .description = "Your profile", .required = true},
  };

  static oauth::Result<oauth::UserInfo> map_user_info(boost::json::object const& json) noexcept {
    oauth::JsonFields fields(json, "acme profile", oauth::Errc::invalid_user_info);
    oauth::UserInfo info;
    info.account_id = fields.string("user_id");
    return fields.finish(std::move(info));
  }
};

int main() {
  boost::asio::io_context io;
  auto key = oauth::crypto::Fernet::generate_key().value();
  auto backend = oauth::store::SqliteBackend::open({.path = "acme.db"}).value();
  oauth::TokenStore<oauth::store::SqliteBackend> store(std::move(backend),
                                                       oauth::crypto::Keyring::from_list(key.reveal()).value());
  oauth::Manager<Acme> manager(io.get_executor(), store);
  if (!manager.configure<Acme>({.client_id = "client",
                                .client_secret = oauth::ClientSecret("secret"),
                                .redirect_uris = {"https://app.example/callback"}}))
    return 1;
  auto start = manager.initiate_flow<Acme>({.tenant_id = "t", .user_id = "u", .session_id = "s"});
  if (!start) return 1;
  auto integration =
      manager.complete_flow<Acme>({.state = start->state, .code = oauth::AuthorizationCode("code"), .session_id = "s"});
  if (!integration) return 1;
  auto token = manager.get_access_token<Acme>("t", "u", integration->id);
  auto orders = manager.client<Acme>("t", "u", integration->id).json(oauth::ApiRequest::get("/orders"));
  std::cout << (token ? "token" : "no token") << (orders ? " orders" : " no orders") << '\n';
  manager.disconnect<Acme>("t", "u", integration->id);
}
