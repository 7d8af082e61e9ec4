#ifndef OAUTH_STORE_TOKEN_STORE_HPP
#define OAUTH_STORE_TOKEN_STORE_HPP

#include <oauth/crypto/keyring.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/detail/async/rate_gate.hpp>
#include <oauth/detail/encoding/printable.hpp>
#include <oauth/detail/store/read_access.hpp>
#include <oauth/error.hpp>
#include <oauth/secret.hpp>
#include <oauth/store/rate_slots.hpp>
#include <oauth/store/records.hpp>
#include <oauth/store/unit_of_work.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace oauth {

/// Where records live. A backend never sees a plaintext token: TokenStore encrypts before
/// and decrypts after.
///
/// Every read and write of an integration names its owner, and a record with another
/// owner is integration_not_found, as if it did not exist; lists hold only the owner's.
/// Every operation that changes more than one thing does it in one transaction.
/// `update_tokens` is a compare-and-swap on the record's version (and its owner), so a
/// writer that read an older record, a stalled refresh among them, cannot overwrite a
/// newer one. The refresh lease lets one process at a time refresh an integration.
/// `replace_resources` swaps the whole cached set of one kind for an integration at once
/// (what is no longer listed goes), for its owner only; disconnecting or erasing drops
/// the cache with the tokens.
/// `scan_integrations` and the settings serve maintenance jobs (key rotation), never a
/// user's request.
template <class B>
concept StoreBackend = requires(B& backend, B const& const_backend, FlowStateRecord state, IntegrationRecord record,
                                ConsentRecord consent, AuditEvent event, Owner owner, std::string_view s, TimePoint at,
                                IntegrationStatus status, UseKind use, std::uint64_t version, std::size_t limit,
                                std::vector<ScopeRecord> scopes, std::vector<CachedResource> resources) {
  { backend.put_state(std::move(state)) } -> std::same_as<Result<void>>;
  { backend.take_state(s, s, at) } -> std::same_as<Result<FlowStateRecord>>;
  { backend.save_connection(std::move(record), std::move(consent)) } -> std::same_as<Result<IntegrationRecord>>;
  { const_backend.find_integration(owner, s) } -> std::same_as<Result<IntegrationRecord>>;
  { const_backend.list_integrations(owner) } -> std::same_as<Result<std::vector<IntegrationRecord>>>;
  { backend.update_tokens(std::move(record), version) } -> std::same_as<Result<IntegrationRecord>>;
  { backend.set_status(owner, s, status, at) } -> std::same_as<Result<IntegrationRecord>>;
  { backend.record_use(owner, s, use, at) } -> std::same_as<Result<void>>;
  { backend.disconnect(owner, s, at) } -> std::same_as<Result<IntegrationRecord>>;
  { const_backend.list_consents(owner) } -> std::same_as<Result<std::vector<ConsentRecord>>>;
  { backend.append_audit(std::move(event)) } -> std::same_as<Result<void>>;
  { const_backend.audit_log(owner) } -> std::same_as<Result<std::vector<AuditEvent>>>;
  { const_backend.audit_page(owner, AuditQuery{}) } -> std::same_as<Result<AuditPage>>;
  { backend.keep_newest_audit(owner, limit) } -> std::same_as<Result<void>>;
  { backend.try_acquire_refresh_lease(owner, s, s, at, at) } -> std::same_as<Result<bool>>;
  { backend.release_refresh_lease(owner, s, s) } -> std::same_as<Result<void>>;
  { backend.erase_user(owner) } -> std::same_as<Result<void>>;
  { backend.save_scope_catalogue(s, std::move(scopes)) } -> std::same_as<Result<void>>;
  { const_backend.scope_catalogue(s) } -> std::same_as<Result<std::vector<ScopeRecord>>>;
  { const_backend.scan_integrations(s, limit) } -> std::same_as<Result<std::vector<IntegrationRecord>>>;
  { const_backend.setting(s) } -> std::same_as<Result<std::optional<std::string>>>;
  { backend.put_setting(s, s) } -> std::same_as<Result<void>>;
  { backend.replace_resources(owner, s, s, std::move(resources), at) } -> std::same_as<Result<void>>;
  { const_backend.list_resources(owner, s, s) } -> std::same_as<Result<std::vector<CachedResource>>>;
};

/// An authorization in progress, decrypted.
struct FlowState {
  std::string state = {};
  std::string provider = {};
  std::string tenant_id = {};
  std::string user_id = {};
  std::string session_id = {};
  std::vector<std::string> scopes = {};
  std::optional<CodeVerifier> code_verifier = {};
  std::string redirect_uri = {};
  TimePoint created_at = {};
  TimePoint expires_at = {};
};

/// An integration with its tokens decrypted, for the one place that sends them.
struct Credential {
  IntegrationRecord record = {};
  AccessToken access_token = {};
  std::optional<RefreshToken> refresh_token = {};
};

/// Which tokens a reader needs in the clear: handing out a fresh access token has no use
/// for the refresh token, so it is left encrypted.
enum class TokenNeed { access, access_and_refresh };

/// New tokens for an integration, as the provider issued them.
struct IssuedTokens {
  AccessToken access_token = {};
  std::optional<RefreshToken> refresh_token = {};
  std::optional<TimePoint> expires_at = {};
  TimePoint issued_at = {};
  std::vector<std::string> scopes = {};
};

/// Whether a backend's calls may keep the calling thread waiting: a database's do. One
/// that never waits on anything but a short lock says `static constexpr bool blocks =
/// false`, and the manager calls it from its I/O threads.
template <class B>
constexpr bool backend_blocks() noexcept {
  if constexpr (requires { B::blocks; })
    return B::blocks;
  else
    return true;
}

/// Tokens at rest: encrypts with the keyring's newest key, decrypts with any, and moves a
/// token read under an older key to the newest on the way. Owns its backend. An attempt
/// to reach an integration that is not the caller's is refused and audited.
template <StoreBackend Backend>
class TokenStore {
public:
  using ClockFunction = std::function<TimePoint()>;

  /// The most entries one page of the audit log holds.
  static constexpr std::size_t max_audit_page = 1000;
  /// The longest user agent an audit row or a consent keeps.
  static constexpr std::size_t max_user_agent = 256;

  /// What is kept of the audit log that names nobody (refusals of callers not yet known,
  /// which anyone can cause, to the service or to a callback): rows sampled per client
  /// address and in all (twenty from an address, then one a minute; one a second in all),
  /// and of those the newest `keep`, trimmed each `trim_every` written.
  struct UnattributedAudit {
    RateLimit per_address{1.0 / 60, 20};
    RateLimit total{1.0, 60};
    std::size_t keep = 10'000;
    std::size_t trim_every = 100;
  };

  TokenStore(
      Backend backend, crypto::Keyring keyring, ClockFunction clock = [] { return Clock::now(); })
      : backend_(std::move(backend)), keyring_(std::move(keyring)), clock_(std::move(clock)) {}

  Backend& backend() noexcept { return backend_; }
  Backend const& backend() const noexcept { return backend_; }
  crypto::Keyring const& keyring() const noexcept { return keyring_; }

  void set_unattributed_audit(UnattributedAudit limits) noexcept { unattributed_limits_ = limits; }

  /// Runs `work()` (a Result<void>) as one transaction where the backend has them (SQL):
  /// the store calls it makes, a change and the audit rows that describe it, commit
  /// together or not at all, at `durability`. A call in it that fails is undone alone;
  /// `work` failing undoes everything. Elsewhere, `work()` as it is. `work` may run twice
  /// when the database's connection is found broken before anything is committed.
  template <class F>
  Result<void> together(store::Durability durability, F& work) {
    if constexpr (requires { backend_.together(durability, store::UnitOfWork(work)); })
      return backend_.together(durability, store::UnitOfWork(work));
    else
      return work();
  }

  /// Whether together_deferred hands work over to the backend: only a backend whose
  /// transactions line up for a commit (SQL) keeps work waiting with no thread held.
  bool defers_together() const noexcept {
    if constexpr (requires(Backend const& b) { b.defers_together(); })
      return backend_.defers_together();
    else
      return requires(Backend & b, store::DeferredWork & w) { b.together_deferred(store::Durability::full, w); };
  }

  /// together(), handed over: `work.run()` runs as one transaction when its turn comes,
  /// and `work.finish` is told the outcome, with no thread waiting for it meanwhile.
  /// Where the backend does not defer (defers_together()), the work runs here and now.
  void together_deferred(store::Durability durability, store::DeferredWork& work) {
    if constexpr (requires(Backend & b) { b.together_deferred(durability, work); })
      backend_.together_deferred(durability, work);
    else
      work.run_now();
  }

  Result<void> put_state(FlowState const& state) {
    FlowStateRecord record{
        state.state, state.provider,     state.tenant_id,  state.user_id,   state.session_id, state.scopes,
        {},          state.redirect_uri, state.created_at, state.expires_at};
    if (state.code_verifier) {
      auto sealed = keyring_.encrypt(state.code_verifier->reveal());
      if (!sealed) return sealed.error();
      record.code_verifier_ciphertext = std::move(*sealed);
    }
    return backend_.put_state(std::move(record));
  }

  /// The authorization state, used up at once, when it is this session's: a callback from
  /// another session is state_mismatch and leaves the state to its own session.
  Result<FlowState> take_state(std::string_view state, std::string_view session_id, TimePoint now) {
    auto record = backend_.take_state(state, session_id, now);
    if (!record) return record.error();
    FlowState flow{record->state,      record->provider,          record->tenant_id, record->user_id,
                   record->session_id, std::move(record->scopes), std::nullopt,      record->redirect_uri,
                   record->created_at, record->expires_at};
    if (!record->code_verifier_ciphertext.empty()) {
      auto opened = keyring_.decrypt(record->code_verifier_ciphertext);
      if (!opened)
        return Error(Errc::undecryptable_token, "authorization state's PKCE verifier: " + opened.error().message());
      flow.code_verifier = CodeVerifier(std::move(opened->plaintext));
    }
    return flow;
  }

  /// Creates the integration for (tenant, user, provider, account), or gives an existing
  /// one new tokens and scopes, and records the consent, in one transaction.
  Result<IntegrationRecord> save_connection(IntegrationRecord record, IssuedTokens const& tokens,
                                            ConsentRecord consent) {
    consent.client_ip = detail::encoding::printable_line(consent.client_ip, 64);
    consent.user_agent = detail::encoding::printable_line(consent.user_agent, max_user_agent);
    if (auto sealed = seal(record, tokens); !sealed) return sealed.error();
    if (record.id.empty()) {
      auto id = crypto::random_token(16);
      if (!id) return id.error();
      record.id = std::move(*id);
    }
    return backend_.save_connection(std::move(record), std::move(consent));
  }

  Result<IntegrationRecord> find(Owner owner, std::string_view id) {
    return refused_if_missing(owner, id, backend_.find_integration(owner, id));
  }

  Result<std::vector<IntegrationRecord>> list(Owner owner) const { return backend_.list_integrations(owner); }

  /// What handing out a token needs, read alone where the backend can.
  Result<AccessRecord> find_access(Owner owner, std::string_view id) {
    return refused_if_missing(owner, id, detail::store::read_access(backend_, owner, id));
  }

  /// The access token of a record just read with find_access. One under an older key is
  /// moved to the newest with its refresh token, as credential() does.
  Result<AccessToken> access_token(AccessRecord const& record) {
    if (record.status == IntegrationStatus::disconnected || !record.has_tokens())
      return Error(Errc::integration_not_found, "integration is disconnected");
    auto access = unseal(record.id, record.key_id, record.access_token_ciphertext, "access token");
    if (!access) return access.error();
    if (access->needs_reencryption()) {
      auto moved = credential(record.owner(), record.id, TokenNeed::access);
      if (!moved) return moved.error();
      return std::move(moved->access_token);
    }
    return AccessToken(std::move(access->plaintext));
  }

  /// The integration with its tokens in the clear. Tokens found under an older key are
  /// stored again under the newest; losing that race to a concurrent write is harmless.
  Result<Credential> credential(Owner owner, std::string_view id, TokenNeed need = TokenNeed::access_and_refresh) {
    auto record = find(owner, id);
    if (!record) return record.error();
    return open(std::move(*record), need);
  }

  /// The tokens of a record just read (with find), without reading it again.
  Result<Credential> credential(IntegrationRecord record, TokenNeed need = TokenNeed::access_and_refresh) {
    return open(std::move(record), need);
  }

  /// Stores refreshed tokens over exactly the record they were refreshed from; a refresh
  /// token the provider did not rotate is kept. store_conflict when someone else wrote first.
  Result<Credential> replace_tokens(Credential const& from, IssuedTokens tokens) {
    // Not rotated and never opened (TokenNeed::access): the stored ciphertext stays.
    bool const keep_sealed_refresh = !tokens.refresh_token && !from.refresh_token;
    if (!tokens.refresh_token && from.refresh_token) tokens.refresh_token = from.refresh_token;
    auto record = from.record;
    if (auto sealed = seal(record, tokens); !sealed) return sealed.error();
    record.updated_at = clock_();
    if (keep_sealed_refresh) record.refresh_token_ciphertext = from.record.refresh_token_ciphertext;
    auto stored = refused_if_missing(from.record.owner(), from.record.id,
                                     backend_.update_tokens(std::move(record), from.record.version));
    if (!stored) return stored.error();
    return Credential{std::move(*stored), std::move(tokens.access_token), std::move(tokens.refresh_token)};
  }

  /// The record's tokens sealed again under the newest key, written over exactly that
  /// version: store_conflict when someone wrote first. For key rotation.
  Result<IntegrationRecord> reseal(IntegrationRecord const& record) {
    if (!record.has_tokens()) return record;
    auto access = unseal(record.id, record.key_id, record.access_token_ciphertext, "access token");
    if (!access) return access.error();
    std::optional<crypto::Decrypted> refresh;
    if (!record.refresh_token_ciphertext.empty()) {
      auto opened = unseal(record.id, record.key_id, record.refresh_token_ciphertext, "refresh token");
      if (!opened) return opened.error();
      refresh = std::move(*opened);
    }
    IssuedTokens same{AccessToken(std::move(access->plaintext)), std::nullopt, record.expires_at,
                      record.token_issued_at, record.scopes};
    if (refresh) same.refresh_token = RefreshToken(std::move(refresh->plaintext));
    auto resealed = record;
    if (auto sealed = seal(resealed, same); !sealed) return sealed.error();
    return backend_.update_tokens(std::move(resealed), record.version);
  }

  Result<IntegrationRecord> set_status(Owner owner, std::string_view id, IntegrationStatus status) {
    return refused_if_missing(owner, id, backend_.set_status(owner, id, status, clock_()));
  }

  Result<void> record_use(Owner owner, std::string_view id, UseKind use, TimePoint at) {
    return refused_if_missing(owner, id, backend_.record_use(owner, id, use, at));
  }

  /// Deletes the tokens and consents and marks the integration disconnected, together.
  Result<IntegrationRecord> disconnect(Owner owner, std::string_view id, TimePoint at) {
    return refused_if_missing(owner, id, backend_.disconnect(owner, id, at));
  }

  Result<std::vector<ConsentRecord>> consents(Owner owner) const { return backend_.list_consents(owner); }

  /// Appends to the audit log. What a client says of itself (its address and user agent)
  /// is kept as one printable line, the agent to 256 characters: a row anyone can cause
  /// is small, and forges nothing. Rows that name nobody are sampled and trimmed as
  /// UnattributedAudit says; one sampled out is dropped, successfully.
  Result<void> audit(AuditEvent event) {
    event.client_ip = detail::encoding::printable_line(event.client_ip, 64);
    event.user_agent = detail::encoding::printable_line(event.user_agent, max_user_agent);
    bool const unattributed = event.tenant_id.empty() && event.user_id.empty();
    if (unattributed && !unattributed_->sampled(event.client_ip, unattributed_limits_)) return {};
    auto appended = backend_.append_audit(std::move(event));
    if (!appended || !unattributed) return appended;
    if (unattributed_->written.fetch_add(1) % std::max<std::size_t>(unattributed_limits_.trim_every, 1) == 0)
      return backend_.keep_newest_audit({"", ""}, unattributed_limits_.keep);
    return {};
  }

  Result<std::vector<AuditEvent>> audit_log(Owner owner) const { return backend_.audit_log(owner); }

  /// A page of the owner's audit log, newest first, of at most `max_audit_page` entries:
  /// what a caller reads without the store reading the whole log.
  Result<AuditPage> audit_page(Owner owner, AuditQuery query) const {
    if (query.limit == 0 || query.limit > max_audit_page)
      return Error(Errc::invalid_argument, "an audit page holds 1 to " + std::to_string(max_audit_page) + " entries");
    return backend_.audit_page(owner, query);
  }

  Result<bool> try_acquire_refresh_lease(Owner owner, std::string_view id, std::string_view holder, TimePoint now,
                                         TimePoint until) {
    return refused_if_missing(owner, id, backend_.try_acquire_refresh_lease(owner, id, holder, now, until));
  }

  Result<void> release_refresh_lease(Owner owner, std::string_view id, std::string_view holder) {
    return backend_.release_refresh_lease(owner, id, holder);
  }

  /// Deletes every record held for the user (integrations, tokens, consents, audit,
  /// authorizations in progress) and leaves one audit entry saying so. Revoking at the
  /// providers first is the manager's part.
  Result<void> erase_user(Owner owner) {
    auto erase = [&]() -> Result<void> {
      if (auto erased = backend_.erase_user(owner); !erased) return erased;
      return backend_.append_audit({.at = clock_(),
                                    .tenant_id = std::string(owner.tenant_id),
                                    .user_id = std::string(owner.user_id),
                                    .action = AuditAction::erase});
    };
    return together(store::Durability::full, erase);
  }

  Result<void> save_scope_catalogue(std::string_view provider, std::vector<ScopeRecord> scopes) {
    return backend_.save_scope_catalogue(provider, std::move(scopes));
  }

  Result<std::vector<ScopeRecord>> scope_catalogue(std::string_view provider) const {
    return backend_.scope_catalogue(provider);
  }

  /// An integration's cached provider objects of one kind: all replaced at once, read
  /// by the owner only (anyone else is refused, and audited).
  Result<void> replace_resources(Owner owner, std::string_view integration_id, std::string_view kind,
                                 std::vector<CachedResource> resources) {
    // One entry per id, the last one listed: a provider that lists an object twice
    // while it changes must not make the whole replacement fail.
    std::vector<CachedResource> unique;
    std::unordered_set<std::string> seen;
    for (auto it = resources.rbegin(); it != resources.rend(); ++it) {
      if (!seen.insert(it->id).second) continue;
      it->integration_id = integration_id;
      it->kind = kind;
      unique.push_back(std::move(*it));
    }
    std::reverse(unique.begin(), unique.end());
    resources = std::move(unique);
    return refused_if_missing(owner, integration_id,
                              backend_.replace_resources(owner, integration_id, kind, std::move(resources), clock_()));
  }

  Result<std::vector<CachedResource>> resources(Owner owner, std::string_view integration_id, std::string_view kind) {
    return refused_if_missing(owner, integration_id, backend_.list_resources(owner, integration_id, kind));
  }

  /// Whether the backend keeps rate slots for every process that shares it
  /// (store/rate_slots.hpp): then a rate limit held there holds across processes.
  bool shares_rate_slots() const noexcept {
    if constexpr (requires { backend_.shares_rate_slots(); })
      return backend_.shares_rate_slots();
    else
      return store::SharesRateSlots<Backend>;
  }

  /// A slot of the rate bucket `key`, kept by the backend for every process that shares
  /// it; a backend that keeps none refuses with invalid_argument.
  Result<store::RateSlot> reserve_rate_slot(std::string_view key, store::RateSpacing spacing,
                                            store::SlotRequest request) {
    if constexpr (store::SharesRateSlots<Backend>)
      return backend_.reserve_rate_slot(key, spacing, request);
    else
      return Error(Errc::invalid_argument, "this store keeps no rate slots shared between processes");
  }

private:
  template <class T>
  Result<T> refused_if_missing(Owner owner, std::string_view id, Result<T> result) {
    if (!result && result.error() == Errc::integration_not_found)
      (void)backend_.append_audit({.at = clock_(),
                                   .tenant_id = std::string(owner.tenant_id),
                                   .user_id = std::string(owner.user_id),
                                   .integration_id = std::string(id),
                                   .action = AuditAction::access_denied,
                                   .success = false,
                                   .reason = "no such integration for this tenant and user"});
    return result;
  }

  Result<void> seal(IntegrationRecord& record, IssuedTokens const& tokens) const {
    auto access = keyring_.encrypt(tokens.access_token.reveal());
    if (!access) return access.error();
    std::string refresh;
    if (tokens.refresh_token) {
      auto sealed = keyring_.encrypt(tokens.refresh_token->reveal());
      if (!sealed) return sealed.error();
      refresh = std::move(*sealed);
    }
    record.access_token_ciphertext = std::move(*access);
    record.refresh_token_ciphertext = std::move(refresh);
    record.key_id = keyring_.key_id();
    record.expires_at = tokens.expires_at;
    record.token_issued_at = tokens.issued_at;
    record.scopes = tokens.scopes;
    return {};
  }

  Result<crypto::Decrypted> unseal(std::string_view id, std::string_view key_id, std::string_view ciphertext,
                                   std::string_view which) const {
    auto opened = keyring_.decrypt(ciphertext);
    if (opened) return opened;
    // The id and key id come from the store: as one printable line (found by the fuzzer,
    // a damaged file's key id carried bytes of any kind into the message).
    using detail::encoding::printable_line;
    auto const why = opened.error() == Errc::invalid_signature
                         ? "was sealed with a key that is not configured (key id " +
                               (key_id.empty() ? std::string("unknown") : printable_line(key_id, 24)) + ")"
                         : "is corrupt: " + opened.error().message();
    return Error(Errc::undecryptable_token,
                 "integration " + printable_line(id, 64) + ": stored " + std::string(which) + ' ' + why);
  }

  Result<Credential> open(IntegrationRecord record, TokenNeed need) {
    if (record.status == IntegrationStatus::disconnected || !record.has_tokens())
      return Error(Errc::integration_not_found, "integration is disconnected");
    auto access = unseal(record.id, record.key_id, record.access_token_ciphertext, "access token");
    if (!access) return access.error();
    bool rotate = access->needs_reencryption();
    Credential credential{{}, AccessToken(std::move(access->plaintext)), std::nullopt};
    // Both tokens are written together, so an access token under an old key means the
    // refresh token is too: then it is opened to be moved as well.
    if (!record.refresh_token_ciphertext.empty() && (need == TokenNeed::access_and_refresh || rotate)) {
      auto refresh = unseal(record.id, record.key_id, record.refresh_token_ciphertext, "refresh token");
      if (!refresh) return refresh.error();
      rotate = rotate || refresh->needs_reencryption();
      credential.refresh_token = RefreshToken(std::move(refresh->plaintext));
    }
    credential.record = std::move(record);
    if (rotate) {
      IssuedTokens same{credential.access_token, credential.refresh_token, credential.record.expires_at,
                        credential.record.token_issued_at, credential.record.scopes};
      if (auto moved = replace_tokens(credential, std::move(same))) credential.record = std::move(moved->record);
    }
    return credential;
  }

  Backend backend_;
  crypto::Keyring keyring_;
  ClockFunction clock_;
  /// Shared by copies of this store, as the backend is.
  struct Unattributed {
    detail::async::RateGates gates;
    std::atomic<std::size_t> written{0};
    bool sampled(std::string_view address, UnattributedAudit const& limits) {
      auto const now = detail::async::RateGates::Clock::now();
      return gates.try_take("total", limits.total, now) &&
             gates.try_take("address " + std::string(address), limits.per_address, now);
    }
  };
  UnattributedAudit unattributed_limits_;
  std::shared_ptr<Unattributed> unattributed_ = std::make_shared<Unattributed>();
};

}  // namespace oauth

#endif
