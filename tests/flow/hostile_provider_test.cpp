// A provider that answers to break its clients (the mock's hostile mode, FaultKind::hostile):
// every answer ends in a typed error within the transport's timeout, memory stays bounded
// (peak RSS is measured), and nothing the provider said reaches an audit row unescaped.
#include "support/flow_harness.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <iostream>

namespace oauth::testing {
namespace {

using providers::Google;

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

struct HostileAnswer {
  Hostile kind;
  Errc expected;
};

TEST(HostileProvider, EveryHostileTokenAnswerEndsInATypedErrorInTimeWithMemoryBounded) {
  FlowHarness h;
  constexpr auto timeout = std::chrono::seconds(3);
  auto manager = h.another_manager(h.store, {}, {.total_timeout = timeout});
  auto const baseline = peak_rss_kib();
  int user = 0;
  for (auto const& [kind, expected] : std::initializer_list<HostileAnswer>{
           {Hostile::deep_json, Errc::invalid_token_response},
           {Hostile::huge_string, Errc::invalid_token_response},
           {Hostile::duplicate_keys, Errc::invalid_token_response},
           {Hostile::invalid_utf8, Errc::invalid_token_response},
           {Hostile::expires_negative, Errc::invalid_token_response},
           {Hostile::expires_zero, Errc::invalid_token_response},
           {Hostile::expires_huge, Errc::invalid_token_response},
           {Hostile::expires_nan, Errc::invalid_token_response},
           {Hostile::expires_two_to_63, Errc::invalid_token_response},
           {Hostile::forged_description, Errc::invalid_grant},
           {Hostile::ten_gigabytes, Errc::response_too_large},
           {Hostile::bad_chunk_size, Errc::malformed_response},
           {Hostile::unrequested_gzip, Errc::malformed_response},
           {Hostile::trickle, Errc::timeout},
           {Hostile::http10, Errc::malformed_response},
       }) {
    auto const who = "user-" + std::to_string(++user);
    h.google.fail({.kind = FaultKind::hostile, .endpoint = "token", .hostile = kind});
    auto start = manager->initiate_flow<Google>({"tenant-1", who, "session-1", {}, redirect_uri, {}});
    ASSERT_TRUE(start);
    auto callback = consent_callback(start->authorization_url, "session-1");
    auto const started = std::chrono::steady_clock::now();
    auto result = manager->complete_flow<Google>(std::move(callback));
    auto const took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(result) << static_cast<int>(kind);
    EXPECT_EQ(result.error(), expected) << static_cast<int>(kind) << ": " << result.error().message();
    EXPECT_LT(took, timeout + std::chrono::seconds(2)) << static_cast<int>(kind);
    EXPECT_TRUE(printable(result.error().message())) << result.error().message();
    EXPECT_TRUE(h.store.list({"tenant-1", who}).value().empty());
    for (auto const& event : h.store.audit_log({"tenant-1", who}).value())
      EXPECT_TRUE(printable(event.reason)) << event.reason;
  }
  std::cout << "peak RSS over 15 hostile answers: +" << (peak_rss_kib() - baseline) / 1024 << " MiB\n";
  // A 10 GB promise and a megabyte of token cost no more than the cap of one answer each.
  EXPECT_LT(peak_rss_kib() - baseline, 64 * 1024);
}

TEST(HostileProvider, ACertificateForAnotherHostEndsTheCodeExchangeBeforeAnythingIsSent) {
  auto elsewhere = TestCertificates::make("DNS:api.example.com");
  MockProvider mock({.flavor = Flavor::google, .tls = &elsewhere});
  Runtime runtime{1};
  TokenStore<store::MemoryBackend> store(store::MemoryBackend{}, fresh_keyring());
  auto tls = HttpsTransport::default_tls_context();
  tls.add_certificate_authority(boost::asio::buffer(elsewhere.ca_pem));
  Manager<Google> manager(runtime.executor(), store, HttpsTransport(runtime.executor(), std::move(tls)));
  ASSERT_TRUE(manager.configure<Google>({"client-id", ClientSecret("client-secret"), {redirect_uri}, mock.base_url()}));
  auto start = manager.initiate_flow<Google>({"tenant-1", "user-1", "session-1", {}, redirect_uri, {}});
  ASSERT_TRUE(start);
  FlowCallback callback;
  callback.state = start->state;
  callback.code = AuthorizationCode("code-from-the-real-google");
  callback.session_id = "session-1";
  auto result = manager.complete_flow<Google>(std::move(callback));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::tls_failure);
  EXPECT_EQ(mock.requests("token"), 0);
}

}  // namespace
}  // namespace oauth::testing
