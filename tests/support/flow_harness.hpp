#ifndef OAUTH_TESTS_SUPPORT_FLOW_HARNESS_HPP
#define OAUTH_TESTS_SUPPORT_FLOW_HARNESS_HPP

#include "support/mock_provider.hpp"

#include <oauth/oauth.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <string>

namespace oauth::testing {

using AllProviders = providers::Builtin::apply<Manager>;

template <class P>
constexpr Flavor flavor_of() {
  if constexpr (std::is_same_v<P, providers::Google>)
    return Flavor::google;
  else if constexpr (std::is_same_v<P, providers::YouTube>)
    return Flavor::youtube;
  else if constexpr (std::is_same_v<P, providers::Notion>)
    return Flavor::notion;
  else
    return Flavor::microsoft;
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

/// The callback a browser brings back from consenting at `authorization_url`.
inline FlowCallback consent_callback(std::string const& authorization_url, std::string session,
                                     TestCertificates const* tls = &shared_certificates()) {
  auto answer = consent(authorization_url, tls);
  FlowCallback callback;
  callback.state = answer.state;
  callback.code = AuthorizationCode(answer.code);
  callback.error = answer.error;
  callback.iss = answer.iss;
  callback.session_id = std::move(session);
  return callback;
}

/// The distinct access tokens a batch of concurrent calls got, or the first failure.
inline Result<std::set<std::string>> distinct_tokens(std::vector<std::future<Result<AccessGrant>>>& calls) {
  std::set<std::string> tokens;
  for (auto& call : calls) {
    auto grant = call.get();
    if (!grant) return grant.error();
    tokens.insert(std::string(grant->access_token.reveal()));
  }
  return tokens;
}

/// The four mock providers over HTTPS with a test CA, a memory store and a manager of all
/// four, each provider configured to its mock.
struct FlowHarness {
  explicit FlowHarness(MockOptions base = {}, ManagerOptions manager_options = {})
      : google(with(base, Flavor::google)),
        youtube(with(base, Flavor::youtube)),
        microsoft(with(base, Flavor::microsoft)),
        notion(with(base, Flavor::notion)),
        store(store::MemoryBackend{}, crypto::Keyring::from_list(key.reveal()).value(), clock),
        manager(runtime.executor(), store, transport(runtime.executor()), options(std::move(manager_options))) {
    configure<providers::Google>(manager, google);
    configure<providers::YouTube>(manager, youtube);
    configure<providers::Microsoft<>>(manager, microsoft);
    configure<providers::Notion>(manager, notion);
  }

  static HttpsTransport transport(boost::asio::any_io_executor executor, TransportOptions options = {}) {
    auto tls = HttpsTransport::default_tls_context();
    tls.add_certificate_authority(boost::asio::buffer(shared_certificates().ca_pem));
    return HttpsTransport(std::move(executor), std::move(tls), options);
  }

  template <class P>
  MockProvider& mock() {
    if constexpr (flavor_of<P>() == Flavor::google)
      return google;
    else if constexpr (flavor_of<P>() == Flavor::youtube)
      return youtube;
    else if constexpr (flavor_of<P>() == Flavor::notion)
      return notion;
    else
      return microsoft;
  }

  /// initiate, consent at the mock, callback: what a user's browser does.
  template <class P>
  Result<Integration> connect(std::string user = "user-1", std::vector<std::string> scopes = {},
                              std::string tenant = "tenant-1", std::string session = "session-1") {
    auto start = manager.template initiate_flow<P>({tenant, user, session, std::move(scopes), redirect_uri, {}});
    if (!start) return start.error();
    auto callback = consent_callback(start->authorization_url, session);
    callback.client_ip = "203.0.113.7";
    callback.user_agent = "flow-test";
    return manager.template complete_flow<P>(std::move(callback));
  }

  /// Scopes each provider needs for a refresh token in the tests.
  template <class P>
  static std::vector<std::string> refreshable_scopes() {
    if constexpr (flavor_of<P>() == Flavor::google)
      return {"calendar.readonly"};
    else if constexpr (flavor_of<P>() == Flavor::youtube)
      return {"youtube.readonly"};
    else
      return {};
  }

  /// Another manager of all four providers over `store`, with the harness's clock: another
  /// process, or this one with other options.
  std::unique_ptr<AllProviders> another_manager(TokenStore<store::MemoryBackend>& store,
                                                ManagerOptions manager_options = {},
                                                TransportOptions transport_options = {}) {
    manager_options.clock = clock;
    auto other = std::make_unique<AllProviders>(
        runtime.executor(), store, transport(runtime.executor(), transport_options), std::move(manager_options));
    configure<providers::Google>(*other, google);
    configure<providers::YouTube>(*other, youtube);
    configure<providers::Microsoft<>>(*other, microsoft);
    configure<providers::Notion>(*other, notion);
    return other;
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
    options.api_retry.initial_backoff = std::chrono::milliseconds(10);
    if (!options.on_reauth_needed)
      options.on_reauth_needed = [this](ReauthNeeded const& event) {
        std::lock_guard lock(reauth_mutex);
        reauth_events.push_back(event);
      };
    return options;
  }

  template <class P>
  static void configure(AllProviders& manager, MockProvider& mock) {
    auto configured =
        manager.template configure<P>({"client-id", ClientSecret("client-secret"), {redirect_uri}, mock.base_url()});
    if (!configured) throw std::runtime_error(configured.error().message());
  }
};

}  // namespace oauth::testing

#endif
