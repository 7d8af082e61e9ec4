// (c) A Manager over the four built-in providers, each one used.
#include <oauth/manager.hpp>
#include <oauth/providers/all.hpp>
#include <oauth/store/sqlite.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/type.hpp>

#include <iostream>

int main() {
  boost::asio::io_context io;
  auto key = oauth::crypto::Fernet::generate_key().value();
  auto backend = oauth::store::SqliteBackend::open({.path = "builtins.db"}).value();
  oauth::TokenStore<oauth::store::SqliteBackend> store(std::move(backend),
                                                       oauth::crypto::Keyring::from_list(key.reveal()).value());
  using Manager = oauth::providers::Builtin::apply<oauth::Manager>;
  Manager manager(io.get_executor(), store);
  boost::hana::for_each(oauth::providers::Builtin::types, [&]<class T>(T) {
    using P = typename T::type;
    auto start = manager.initiate_flow<P>({.tenant_id = "t", .user_id = "u", .session_id = "s"});
    if (!start) return;
    auto integration =
        manager.complete_flow<P>({.state = start->state, .code = oauth::AuthorizationCode("code"), .session_id = "s"});
    if (!integration) return;
    auto token = manager.get_access_token<P>("t", "u", integration->id);
    if constexpr (oauth::Refreshable<P>) manager.refresh<P>("t", "u", integration->id);
    if constexpr (oauth::Validatable<P>) manager.validate<P>("t", "u", integration->id);
    auto answer = manager.client<P>("t", "u", integration->id).json(oauth::ApiRequest::get("/"));
    std::cout << P::name << (token ? " token" : " no token") << (answer ? " answer" : "") << '\n';
    manager.disconnect<P>("t", "u", integration->id);
  });
}
