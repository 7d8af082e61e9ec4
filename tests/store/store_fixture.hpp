#ifndef OAUTH_TESTS_STORE_STORE_FIXTURE_HPP
#define OAUTH_TESTS_STORE_STORE_FIXTURE_HPP

#include "store/backends.hpp"

#include <oauth/crypto/fernet.hpp>
#include <oauth/crypto/keyring.hpp>
#include <oauth/store/token_store.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace oauth::test {

inline crypto::Keyring new_keyring() {
  return crypto::Keyring::from_list(crypto::Fernet::generate_key().value().reveal()).value();
}

/// Now, to the microsecond: what every backend keeps.
inline TimePoint store_now() { return std::chrono::floor<std::chrono::microseconds>(Clock::now()); }

/// A token store over a fresh backend of kind S, and records to put in it.
template <class S>
struct StoreFixture : ::testing::Test {
  using Backend = typename S::Backend;

  S source;
  EncryptionKey key = crypto::Fernet::generate_key().value();
  crypto::Keyring keyring = crypto::Keyring::from_list(key.reveal()).value();
  TimePoint const now = store_now();
  TokenStore<Backend> store{open(), keyring};

  Backend open() {
    auto backend = source.open();
    if (!backend) throw std::runtime_error(std::string(S::name) + ": " + backend.error().message());
    return std::move(*backend);
  }

  /// Another store over the same data, as another process sees it.
  TokenStore<Backend> another_store() {
    auto backend = source.open_again();
    if (!backend) throw std::runtime_error(std::string(S::name) + ": " + backend.error().message());
    return TokenStore<Backend>(std::move(*backend), keyring);
  }

  static IssuedTokens tokens(std::string access, std::string refresh, TimePoint issued,
                             std::vector<std::string> scopes = {"read", "write"}) {
    IssuedTokens issued_tokens{AccessToken(access), std::nullopt, issued + std::chrono::hours(1), issued,
                               std::move(scopes)};
    if (!refresh.empty()) issued_tokens.refresh_token = RefreshToken(refresh);
    return issued_tokens;
  }

  IntegrationRecord connect(Owner owner = {"tenant-1", "user-1"}, std::string account = "account-1",
                            std::string provider = "google", std::string access = "access-1",
                            std::string refresh = "refresh-1") {
    IntegrationRecord record;
    record.tenant_id = owner.tenant_id;
    record.user_id = owner.user_id;
    record.provider = provider;
    record.account_id = account;
    record.identity.account_id = "subject-" + account;
    record.identity.email = "ada@example.com";
    record.identity.email_verified = true;
    record.identity.name = "Ada";
    record.created_at = record.updated_at = now;
    ConsentRecord consent{.tenant_id = record.tenant_id,
                          .user_id = record.user_id,
                          .provider = provider,
                          .scopes = {"read", "write"},
                          .granted_at = now,
                          .client_ip = "192.0.2.1",
                          .user_agent = "test-agent",
                          .consent_version = "2"};
    auto saved = store.save_connection(record, tokens(access, refresh, now), consent);
    if (!saved) throw std::runtime_error("save_connection: " + saved.error().message());
    return *saved;
  }

  std::vector<AuditEvent> denials(Owner owner) {
    std::vector<AuditEvent> found;
    for (auto const& event : store.audit_log(owner).value())
      if (event.action == AuditAction::access_denied) found.push_back(event);
    return found;
  }
};

using AllStores = ::testing::Types<MemoryStore, SqliteStore, PostgresStore, RedisStore>;

}  // namespace oauth::test

#endif
