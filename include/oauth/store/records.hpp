#ifndef OAUTH_STORE_RECORDS_HPP
#define OAUTH_STORE_RECORDS_HPP

#include <oauth/clock.hpp>
#include <oauth/user_info.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

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

/// Whose a record is. Every read and write of a user's records names its owner, and a
/// record with another owner is not found.
struct Owner {
  std::string_view tenant_id;
  std::string_view user_id;
};

/// pending: stored but not yet usable (a backend's import, say); the manager makes
/// integrations active and never hands out a pending one's token.
enum class IntegrationStatus { pending, active, needs_reauth, disconnected };

constexpr std::string_view to_string(IntegrationStatus status) noexcept {
  switch (status) {
    case IntegrationStatus::pending: return "pending";
    case IntegrationStatus::active: return "active";
    case IntegrationStatus::needs_reauth: return "needs_reauth";
    case IntegrationStatus::disconnected: return "disconnected";
  }
  return "unknown";
}

constexpr std::optional<IntegrationStatus> integration_status_named(std::string_view name) noexcept {
  for (auto status : {IntegrationStatus::pending, IntegrationStatus::active, IntegrationStatus::needs_reauth,
                      IntegrationStatus::disconnected})
    if (to_string(status) == name) return status;
  return std::nullopt;
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
  std::string token_type = "Bearer";
  std::string key_id = {};                   ///< which key sealed the tokens (Keyring::key_id)
  std::optional<TimePoint> expires_at = {};  ///< absent: the token does not expire
  TimePoint token_issued_at = {};
  std::vector<std::string> scopes = {};
  UserInfo identity = {};
  std::uint64_t version = 0;
  TimePoint created_at = {};
  TimePoint updated_at = {};
  std::optional<TimePoint> last_used_at = {};       ///< a token was last handed out; to the minute
  std::optional<TimePoint> last_validated_at = {};  ///< a call to the provider last proved it works

  Owner owner() const noexcept { return {tenant_id, user_id}; }
  bool has_tokens() const noexcept { return !access_token_ciphertext.empty(); }
};

/// What handing out a fresh token needs of an integration, and no more. Read on every
/// get_access_token, so a backend that can read these fields alone does (find_access).
struct AccessRecord {
  std::string id = {};
  std::string tenant_id = {};
  std::string user_id = {};
  std::string provider = {};
  IntegrationStatus status = IntegrationStatus::active;
  std::uint64_t version = 0;
  std::string access_token_ciphertext = {};
  std::string key_id = {};
  std::optional<TimePoint> expires_at = {};
  TimePoint token_issued_at = {};
  std::vector<std::string> scopes = {};
  std::optional<TimePoint> last_used_at = {};

  Owner owner() const noexcept { return {tenant_id, user_id}; }
  bool has_tokens() const noexcept { return !access_token_ciphertext.empty(); }

  static AccessRecord of(IntegrationRecord record) {
    return {std::move(record.id),
            std::move(record.tenant_id),
            std::move(record.user_id),
            std::move(record.provider),
            record.status,
            record.version,
            std::move(record.access_token_ciphertext),
            std::move(record.key_id),
            record.expires_at,
            record.token_issued_at,
            std::move(record.scopes),
            record.last_used_at};
  }
};

/// Which moment of an integration's use to record.
enum class UseKind { used, validated };

/// What a user agreed to, when, and from where.
struct ConsentRecord {
  std::string integration_id = {};
  std::string tenant_id = {};
  std::string user_id = {};
  std::string provider = {};
  std::vector<std::string> scopes = {};
  TimePoint granted_at = {};
  std::optional<TimePoint> expires_at = {};  ///< absent: until withdrawn
  std::string client_ip = {};
  std::string user_agent = {};
  std::string consent_version = {};  ///< which wording of the application's consent text was shown
};

enum class AuditAction {
  authorization_started,
  connect,
  token_access,
  access_denied,
  refresh,
  needs_reauth,
  revoke,
  disconnect,
  erase,  ///< everything held for a user was deleted
};

constexpr std::string_view to_string(AuditAction action) noexcept {
  switch (action) {
    case AuditAction::authorization_started: return "authorization_started";
    case AuditAction::connect: return "connect";
    case AuditAction::token_access: return "token_access";
    case AuditAction::access_denied: return "access_denied";
    case AuditAction::refresh: return "refresh";
    case AuditAction::needs_reauth: return "needs_reauth";
    case AuditAction::revoke: return "revoke";
    case AuditAction::disconnect: return "disconnect";
    case AuditAction::erase: return "erase";
  }
  return "unknown";
}

constexpr std::optional<AuditAction> audit_action_named(std::string_view name) noexcept {
  for (int i = 0; i <= static_cast<int>(AuditAction::erase); ++i)
    if (to_string(static_cast<AuditAction>(i)) == name) return static_cast<AuditAction>(i);
  return std::nullopt;
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
  std::vector<std::string> scopes = {};
  std::string client_ip = {};
  std::string user_agent = {};
};

/// Which part of an owner's audit log to read: at most `limit` entries, newest first,
/// older than `before` (the `next` of the page read before), from the newest without it.
struct AuditQuery {
  std::size_t limit = 100;
  std::optional<std::uint64_t> before = {};
};

/// A page of an owner's audit log, newest first; `next` reads on, when there is more.
/// Positions are the store's own: what `next` names is meaningful only to the store that
/// gave it.
struct AuditPage {
  std::vector<AuditEvent> events = {};
  std::optional<std::uint64_t> next = {};
};

/// One entry of a provider's scope catalogue as a store keeps it, for pages and reports
/// that read the store rather than the provider traits.
struct ScopeRecord {
  std::string provider = {};
  std::string name = {};
  std::string description = {};
  std::string category = {};
  std::string set = {};
  bool required = false;
  bool dangerous = false;
  friend bool operator==(ScopeRecord const&, ScopeRecord const&) = default;
};

/// Something a provider holds that an integration can see, kept so it need not be asked
/// again: a Notion database, say. Keyed by integration, kind and the provider's id; the
/// whole object is kept as the provider sent it, next to the fields read most. Not a
/// secret: it is stored as it is, and goes with its integration.
struct CachedResource {
  std::string integration_id = {};
  std::string kind = {};  ///< "notion.database"
  std::string id = {};    ///< the provider's id, normalized
  std::string title = {};
  std::string icon_type = {};  ///< "emoji", "url", or empty for none
  std::string icon = {};
  std::string properties = {};  ///< JSON text
  std::string object = {};      ///< JSON text: the provider's whole object
  TimePoint refreshed_at = {};
  friend bool operator==(CachedResource const&, CachedResource const&) = default;
};

}  // namespace oauth

#endif
