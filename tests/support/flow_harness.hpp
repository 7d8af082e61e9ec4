#ifndef OAUTH_TESTS_SUPPORT_FLOW_HARNESS_HPP
#define OAUTH_TESTS_SUPPORT_FLOW_HARNESS_HPP

#include "support/mock_provider.hpp"

#include <oauth/oauth.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace oauth::testing {

using AllProviders = Manager<providers::Google, providers::YouTube, providers::Microsoft<>, providers::Notion>;

template <class P>
constexpr Flavor flavor_of() {
  if constexpr (std::is_same_v<P, providers::Google>) return Flavor::google;
  else if constexpr (std::is_same_v<P, providers::YouTube>) return Flavor::youtube;
  else if constexpr (std::is_same_v<P, providers::Notion>) return Flavor::notion;
  else return Flavor::microsoft;
}

inline TestCertificates const& shared_certificates() {
  static TestCertificates const certificates = TestCertificates::make();
  return certificates;
}

inline crypto::Keyring fresh_keyring() {
  return crypto::Keyring::from_list(crypto::Fernet::generate_key().value().reveal()).value();
}

/// A clock the test moves forward: tokens expire without waiting.
struct TestClock {
  std::shared_ptr<std::atomic<long long>> offset = std::make_shared<std::atomic<long long>>(0);
  TimePoint operator()() const { return Clock::now() + std::chrono::seconds(offset->load()); }
  void advance(std::chrono::seconds by) const { *offset += by.count(); }
};

inline constexpr char redirect_uri[] = "https://app.example/oauth/callback";

/// The four mock providers over HTTPS with a test CA, a memory store and a manager of all
/// four, each provider configured to its mock.
struct FlowHarness {
  explicit FlowHarness(MockOptions base = {}, ManagerOptions manager_options = {})
      : google(with(base, Flavor::google)),
        youtube(with(base, Flavor::youtube)),
        microsoft(with(base, Flavor::microsoft)),
        notion(with(base, Flavor::notion)),
        store(store::MemoryBackend{}, crypto::Keyring::from_list(key.reveal()).value()),
        manager(runtime.executor(), store, transport(runtime.executor()), options(std::move(manager_options))) {
    configure<providers::Google>(google);
    configure<providers::YouTube>(youtube);
    configure<providers::Microsoft<>>(microsoft);
    configure<providers::Notion>(notion);
  }

  static HttpsTransport transport(boost::asio::any_io_executor executor, TransportOptions options = {}) {
    auto tls = HttpsTransport::default_tls_context();
    tls.add_certificate_authority(boost::asio::buffer(shared_certificates().ca_pem));
    return HttpsTransport(std::move(executor), std::move(tls), options);
  }

  template <class P>
  MockProvider& mock() {
    if constexpr (flavor_of<P>() == Flavor::google) return google;
    else if constexpr (flavor_of<P>() == Flavor::youtube) return youtube;
    else if constexpr (flavor_of<P>() == Flavor::notion) return notion;
    else return microsoft;
  }

  /// initiate, consent at the mock, callback: what a user's browser does.
  template <class P>
  Result<Integration> connect(std::string user = "user-1", std::vector<std::string> scopes = {},
                              std::string tenant = "tenant-1", std::string session = "session-1") {
    auto start = manager.template initiate_flow<P>({tenant, user, session, std::move(scopes), redirect_uri, {}});
    if (!start) return start.error();
    auto answer = consent(start->authorization_url, &shared_certificates());
    FlowCallback callback;
    callback.state = answer.state;
    callback.code = AuthorizationCode(answer.code);
    callback.error = answer.error;
    callback.session_id = session;
    callback.client_ip = "203.0.113.7";
    callback.user_agent = "flow-test";
    return manager.template complete_flow<P>(std::move(callback));
  }

  /// Scopes each provider needs for a refresh token in the tests.
  template <class P>
  static std::vector<std::string> refreshable_scopes() {
    if constexpr (flavor_of<P>() == Flavor::google) return {"calendar.readonly"};
    else if constexpr (flavor_of<P>() == Flavor::youtube) return {"youtube.readonly"};
    else return {};
  }

  TestClock clock;
  EncryptionKey key = crypto::Fernet::generate_key().value();
  Runtime runtime{2};
  MockProvider google, youtube, microsoft, notion;
  TokenStore<store::MemoryBackend> store;
  std::vector<ReauthNeeded> reauth_events;
  std::mutex reauth_mutex;
  AllProviders manager;

private:
  static MockOptions with(MockOptions options, Flavor flavor) {
    options.flavor = flavor;
    options.tls = &shared_certificates();
    return options;
  }

  ManagerOptions options(ManagerOptions options) {
    options.clock = clock;
    options.retry.initial_backoff = std::chrono::milliseconds(10);
    if (!options.on_reauth_needed)
      options.on_reauth_needed = [this](ReauthNeeded const& event) {
        std::lock_guard lock(reauth_mutex);
        reauth_events.push_back(event);
      };
    return options;
  }

  template <class P>
  void configure(MockProvider& mock) {
    auto configured = manager.template configure<P>(
        {"client-id", ClientSecret("client-secret"), {redirect_uri}, mock.base_url()});
    if (!configured) throw std::runtime_error(configured.error().message());
  }
};

}  // namespace oauth::testing

#endif
