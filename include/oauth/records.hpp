#ifndef OAUTH_RECORDS_HPP
#define OAUTH_RECORDS_HPP

#include <oauth/user_info.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

/// An authorization in progress, as a store backend keeps it. Single use: taking it
/// marks it used, so a replayed callback is told apart from a forged one.
struct FlowStateRecord {
  std::string state = {};  ///< the value in the URL; the key
  std::string provider = {};
  std::string tenant_id = {};
  std::string user_id = {};
  std::string session_id = {};
  std::vector<std::string> scopes = {};
  std::string code_verifier_ciphertext = {};  ///< the PKCE verifier, encrypted; empty without PKCE
  std::string redirect_uri = {};
  TimePoint created_at = {};
  TimePoint expires_at = {};
};

enum class IntegrationStatus { active, needs_reauth, disconnected };

constexpr std::string_view to_string(IntegrationStatus status) noexcept {
  switch (status) {
    case IntegrationStatus::active: return "active";
    case IntegrationStatus::needs_reauth: return "needs_reauth";
    case IntegrationStatus::disconnected: return "disconnected";
  }
  return "unknown";
}

/// One connected account or workspace at one provider, as a store backend keeps it: the
/// tokens are Fernet ciphertexts, never plaintext. `version` grows with every write, so a
/// refresh can be stored only over the record it started from (compare and swap).
struct IntegrationRecord {
  std::string id = {};
  std::string tenant_id = {};
  std::string user_id = {};
  std::string provider = {};
  std::string account_id = {};  ///< the provider's account, channel or workspace
  IntegrationStatus status = IntegrationStatus::active;
  std::string access_token_ciphertext = {};
  std::string refresh_token_ciphertext = {};  ///< empty when there is none
  std::optional<TimePoint> expires_at = {};   ///< absent: the token does not expire
  TimePoint token_issued_at = {};
  std::vector<std::string> scopes = {};
  UserInfo identity = {};
  std::uint64_t version = 0;
  TimePoint created_at = {};
  TimePoint updated_at = {};
};

/// What a user agreed to, when, and from where.
struct ConsentRecord {
  std::string integration_id = {};
  std::string tenant_id = {};
  std::string user_id = {};
  std::string provider = {};
  std::vector<std::string> scopes = {};
  TimePoint granted_at = {};
  std::string client_ip = {};
  std::string user_agent = {};
};

enum class AuditAction {
  authorization_started,
  connect,
  token_access,
  token_access_denied,
  refresh,
  needs_reauth,
  revoke,
  disconnect,
};

constexpr std::string_view to_string(AuditAction action) noexcept {
  switch (action) {
    case AuditAction::authorization_started: return "authorization_started";
    case AuditAction::connect: return "connect";
    case AuditAction::token_access: return "token_access";
    case AuditAction::token_access_denied: return "token_access_denied";
    case AuditAction::refresh: return "refresh";
    case AuditAction::needs_reauth: return "needs_reauth";
    case AuditAction::revoke: return "revoke";
    case AuditAction::disconnect: return "disconnect";
  }
  return "unknown";
}

/// One line of the audit log. `reason` is an error's message: codes and provider words,
/// never a token, code, secret or key.
struct AuditEvent {
  TimePoint at = {};
  std::string tenant_id = {};
  std::string user_id = {};
  std::string provider = {};
  std::string integration_id = {};
  AuditAction action = AuditAction::connect;
  bool success = true;
  std::string reason = {};
};

}  // namespace oauth

#endif
