// Every public header, and every public template instantiated: with each store backend,
// and for each built-in provider every operation of the manager. Read by clang-tidy
// header-only, so that the .ipp bodies are in too (tests/lint/tidy.py), and run, doing
// nothing, in the coverage tree, in compiled mode as the tests are: code instantiated
// here or in oauth::compiled and run by no test counts as not covered instead of
// dropping out of the coverage report.
#include <oauth/oauth.hpp>
#include <oauth/providers/notion/databases.hpp>
#include <oauth/store/open.hpp>
#include <oauth/store/postgres.hpp>
#include <oauth/store/redis.hpp>
#include <oauth/store/sqlite.hpp>

#include <boost/hana/for_each.hpp>

#include <type_traits>

namespace {

using Manager = oauth::providers::Builtin::apply<oauth::Manager>;

template <class Backend>
void use_store(oauth::TokenStore<Backend>& store) {
  oauth::KeyRotation<Backend> rotation(store);
  (void)rotation.run();
}

[[maybe_unused]] void use_everything(boost::asio::any_io_executor executor, oauth::crypto::Keyring const& keys) {
  auto backend = oauth::store::open_backend("sqlite::memory:").value();
  oauth::TokenStore<oauth::store::AnyBackend> store(std::move(backend), keys);
  use_store(store);
  oauth::TokenStore<oauth::store::SqliteBackend> sqlite(oauth::store::SqliteBackend::open({}).value(), keys);
  use_store(sqlite);
  oauth::TokenStore<oauth::store::MemoryBackend> memory(oauth::store::MemoryBackend{}, keys);
  use_store(memory);

  Manager manager(std::move(executor), store);
  boost::hana::for_each(oauth::providers::Builtin::types, [&]<class T>(T) {
    using P = typename T::type;
    (void)manager.configure<P>({});
    auto start = manager.initiate_flow<P>({});
    (void)manager.scope_coverage<P>("t", "u", {});
    auto integration = manager.complete_flow<P>({});
    (void)manager.get_access_token<P>("t", "u", "i");
    if constexpr (oauth::Refreshable<P>) (void)manager.refresh<P>("t", "u", "i");
    if constexpr (oauth::Validatable<P>) (void)manager.validate<P>("t", "u", "i");
    auto client = manager.client<P>("t", "u", "i");
    (void)client.send(oauth::ApiRequest::get("/"));
    (void)client.json(oauth::ApiRequest::get("/"));
    (void)oauth::all_pages(client, oauth::ApiRequest::get("/"));
    (void)manager.disconnect<P>("t", "u", "i");
  });
  (void)manager.integrations("t", "u");
  (void)manager.integration("t", "u", "i");
  (void)manager.get_access_token_by_id("t", "u", "i");
  (void)manager.refresh_by_id("t", "u", "i");
  (void)manager.consents("t", "u");
  (void)manager.audit_log("t", "u");
  (void)manager.audit_page("t", "u", {});
  (void)manager.cached_resources("t", "u", "i", "k");
  (void)manager.replace_cached_resources("t", "u", "i", "k", {});
  (void)manager.export_user_data("t", "u");
  (void)manager.refresh_activity();
  (void)manager.erase_user("t", "u");
  (void)oauth::providers::notion::Databases<Manager>(manager, "t", "u", "i").refresh();
}

}  // namespace

int main() {}
