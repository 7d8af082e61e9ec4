// Another process of a service, for the multi-process store tests: a manager over a
// shared store (a URL), refreshing against a mock Microsoft over HTTPS.
//
//   oauth_store_worker storm STORE_URL MOCK_BASE CA_FILE GO_FILE INTEGRATION CALLERS
//     prints "ready", waits for GO_FILE, asks for the integration's token from CALLERS
//     coroutines at once, prints "done <succeeded> <distinct tokens> <fingerprint>".
//   oauth_store_worker churn STORE_URL MOCK_BASE CA_FILE INTEGRATION...
//     refreshes the integrations in turn until killed; prints "refreshed 1" after the first.
// The encryption key comes from OAUTH_ENCRYPTION_KEY; the owner is tenant-1/user-1.

#include <oauth/manager.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/runtime.hpp>
#include <oauth/store/open.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/use_future.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Microsoft = oauth::providers::Microsoft<>;
using Manager = oauth::Manager<Microsoft>;

[[noreturn]] void fail(std::string const& what) {
  std::cout << "error " << what << std::endl;
  std::exit(2);
}

std::string fingerprint(std::string_view token) {
  unsigned char digest[32];
  EVP_Digest(token.data(), token.size(), digest, nullptr, EVP_sha256(), nullptr);
  std::ostringstream out;
  for (int i = 0; i < 8; ++i) out << std::hex << static_cast<int>(digest[i]);
  return out.str();
}

struct Service {
  Service(std::string const& store_url, std::string const& mock_base, std::string const& ca_file)
      : store(open(store_url), keyring()), manager(runtime.executor(), store, transport(ca_file), options()) {
    oauth::ProviderConfig config{
        "client-id", oauth::ClientSecret("client-secret"), {"https://app.example/oauth/callback"}, mock_base};
    if (auto configured = manager.configure<Microsoft>(std::move(config)); !configured)
      fail(configured.error().message());
  }

  static oauth::store::AnyBackend open(std::string const& url) {
    auto backend = oauth::store::open_backend(url);
    if (!backend) fail(backend.error().message());
    return std::move(*backend);
  }

  /// A worker killed while it refreshes leaves its lease behind; a short one keeps the
  /// crash tests short. Services keep the default.
  static oauth::ManagerOptions options() {
    oauth::ManagerOptions o;
    o.refresh_lease = std::chrono::seconds(2);
    return o;
  }

  static oauth::crypto::Keyring keyring() {
    auto ring = oauth::crypto::Keyring::from_environment();
    if (!ring) fail(ring.error().message());
    return std::move(*ring);
  }

  oauth::HttpsTransport transport(std::string const& ca_file) {
    std::ifstream in(ca_file);
    std::stringstream pem;
    pem << in.rdbuf();
    auto tls = oauth::HttpsTransport::default_tls_context();
    tls.add_certificate_authority(boost::asio::buffer(pem.str()));
    return oauth::HttpsTransport(runtime.executor(), std::move(tls));
  }

  oauth::Runtime runtime{2};
  oauth::TokenStore<oauth::store::AnyBackend> store;
  Manager manager;
};

int storm(std::vector<std::string> const& args) {
  if (args.size() != 8) fail("storm needs STORE_URL MOCK_BASE CA_FILE GO_FILE INTEGRATION CALLERS");
  Service service(args[2], args[3], args[4]);
  auto const go = std::filesystem::path(args[5]);
  auto const callers = std::stoi(args[7]);
  std::cout << "ready" << std::endl;
  while (!std::filesystem::exists(go)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<std::future<oauth::Result<oauth::AccessGrant>>> calls;
  for (int i = 0; i < callers; ++i)
    calls.push_back(
        service.manager.async_get_access_token<Microsoft>("tenant-1", "user-1", args[6], boost::asio::use_future));
  int succeeded = 0;
  std::set<std::string> tokens;
  for (auto& call : calls) {
    auto grant = call.get();
    if (!grant) {
      std::cout << "error " << grant.error().message() << std::endl;
      continue;
    }
    tokens.insert(fingerprint(grant->access_token.reveal()));
    ++succeeded;
  }
  std::cout << "done " << succeeded << ' ' << tokens.size() << ' ' << (tokens.empty() ? "-" : *tokens.begin())
            << std::endl;
  return succeeded == callers ? 0 : 1;
}

int churn(std::vector<std::string> const& args) {
  if (args.size() < 6) fail("churn needs STORE_URL MOCK_BASE CA_FILE INTEGRATION...");
  Service service(args[2], args[3], args[4]);
  std::vector<std::string> const integrations(args.begin() + 5, args.end());
  for (long n = 1;; ++n) {
    auto const& id = integrations[static_cast<std::size_t>(n) % integrations.size()];
    auto refreshed = service.manager.refresh<Microsoft>("tenant-1", "user-1", id);
    if (!refreshed)
      std::cout << "error " << refreshed.error().message() << std::endl;
    else if (n == 1)
      std::cout << "refreshed " << n << std::endl;  // running; the parent may kill it now
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> const args(argv, argv + argc);
  if (args.size() > 1 && args[1] == "storm") return storm(args);
  if (args.size() > 1 && args[1] == "churn") return churn(args);
  fail("usage: oauth_store_worker storm|churn ...");
}
