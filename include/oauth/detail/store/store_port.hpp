#ifndef OAUTH_DETAIL_STORE_STORE_PORT_HPP
#define OAUTH_DETAIL_STORE_STORE_PORT_HPP

#include <oauth/store/rate_slots.hpp>
#include <oauth/store/token_store.hpp>
#include <oauth/store/unit_of_work.hpp>

#include <string_view>
#include <vector>

namespace oauth::detail::store {

/// The token store as the manager uses it, whatever its backend: the manager is a
/// template on its providers only, so the store's type stops here.
class StorePort {
public:
  StorePort() = default;
  StorePort(StorePort const&) = delete;
  StorePort& operator=(StorePort const&) = delete;
  StorePort(StorePort&&) = delete;
  StorePort& operator=(StorePort&&) = delete;
  virtual ~StorePort() = default;
  /// Whether a call may keep the calling thread waiting (a database's): then the manager
  /// makes it on its store executor, never on an I/O thread.
  virtual bool blocks() const noexcept = 0;
  virtual Result<void> put_state(FlowState const&) = 0;
  virtual Result<FlowState> take_state(std::string_view state, std::string_view session_id, TimePoint now) = 0;
  virtual Result<IntegrationRecord> save_connection(IntegrationRecord, IssuedTokens const&, ConsentRecord) = 0;
  virtual Result<std::vector<IntegrationRecord>> list(Owner) = 0;
  virtual Result<IntegrationRecord> find(Owner, std::string_view id) = 0;
  virtual Result<Credential> credential(Owner, std::string_view id, TokenNeed need) = 0;
  virtual Result<Credential> credential(IntegrationRecord, TokenNeed need) = 0;
  virtual Result<AccessRecord> find_access(Owner, std::string_view id) = 0;
  virtual Result<AccessToken> access_token(AccessRecord const&) = 0;
  virtual Result<Credential> replace_tokens(Credential const&, IssuedTokens) = 0;
  virtual Result<IntegrationRecord> set_status(Owner, std::string_view id, IntegrationStatus) = 0;
  virtual Result<void> record_use(Owner, std::string_view id, UseKind, TimePoint at) = 0;
  virtual Result<IntegrationRecord> disconnect(Owner, std::string_view id, TimePoint at) = 0;
  virtual Result<std::vector<ConsentRecord>> consents(Owner) = 0;
  virtual Result<void> audit(AuditEvent) = 0;
  /// TokenStore::together: `work`'s calls of this port as one transaction.
  virtual Result<void> together(oauth::store::Durability, oauth::store::UnitOfWork work) = 0;
  /// TokenStore::defers_together and together_deferred.
  virtual bool defers_together() const noexcept = 0;
  virtual void together_deferred(oauth::store::Durability, oauth::store::DeferredWork& work) = 0;
  virtual Result<std::vector<AuditEvent>> audit_log(Owner) = 0;
  virtual Result<AuditPage> audit_page(Owner, AuditQuery) = 0;
  virtual Result<bool> try_acquire_refresh_lease(Owner, std::string_view id, std::string_view holder, TimePoint now,
                                                 TimePoint until) = 0;
  virtual Result<void> release_refresh_lease(Owner, std::string_view id, std::string_view holder) = 0;
  virtual Result<void> erase_user(Owner) = 0;
  virtual Result<void> save_scope_catalogue(std::string_view provider, std::vector<ScopeRecord>) = 0;
  virtual Result<void> replace_resources(Owner, std::string_view id, std::string_view kind,
                                         std::vector<CachedResource>) = 0;
  virtual Result<std::vector<CachedResource>> resources(Owner, std::string_view id, std::string_view kind) = 0;
  /// TokenStore::shares_rate_slots and reserve_rate_slot.
  virtual bool shares_rate_slots() const noexcept = 0;
  virtual Result<oauth::store::RateSlot> reserve_rate_slot(std::string_view key, oauth::store::RateSpacing,
                                                           oauth::store::SlotRequest) = 0;
};

template <class Backend>
class StoreAdapter final : public StorePort {
public:
  explicit StoreAdapter(TokenStore<Backend>& store) : store_(store) {}

  bool blocks() const noexcept override { return backend_blocks<Backend>(); }

  Result<void> put_state(FlowState const& state) override { return store_.put_state(state); }
  Result<FlowState> take_state(std::string_view state, std::string_view session_id, TimePoint now) override {
    return store_.take_state(state, session_id, now);
  }
  Result<IntegrationRecord> save_connection(IntegrationRecord record, IssuedTokens const& tokens,
                                            ConsentRecord consent) override {
    return store_.save_connection(std::move(record), tokens, std::move(consent));
  }
  Result<std::vector<IntegrationRecord>> list(Owner owner) override { return store_.list(owner); }
  Result<IntegrationRecord> find(Owner owner, std::string_view id) override { return store_.find(owner, id); }
  Result<Credential> credential(Owner owner, std::string_view id, TokenNeed need) override {
    return store_.credential(owner, id, need);
  }
  Result<Credential> credential(IntegrationRecord record, TokenNeed need) override {
    return store_.credential(std::move(record), need);
  }
  Result<AccessRecord> find_access(Owner owner, std::string_view id) override { return store_.find_access(owner, id); }
  Result<AccessToken> access_token(AccessRecord const& record) override { return store_.access_token(record); }
  Result<Credential> replace_tokens(Credential const& from, IssuedTokens tokens) override {
    return store_.replace_tokens(from, std::move(tokens));
  }
  Result<IntegrationRecord> set_status(Owner owner, std::string_view id, IntegrationStatus status) override {
    return store_.set_status(owner, id, status);
  }
  Result<void> record_use(Owner owner, std::string_view id, UseKind use, TimePoint at) override {
    return store_.record_use(owner, id, use, at);
  }
  Result<IntegrationRecord> disconnect(Owner owner, std::string_view id, TimePoint at) override {
    return store_.disconnect(owner, id, at);
  }
  Result<std::vector<ConsentRecord>> consents(Owner owner) override { return store_.consents(owner); }
  Result<void> audit(AuditEvent event) override { return store_.audit(std::move(event)); }
  Result<void> together(oauth::store::Durability durability, oauth::store::UnitOfWork work) override {
    return store_.together(durability, work);
  }
  bool defers_together() const noexcept override { return store_.defers_together(); }
  void together_deferred(oauth::store::Durability durability, oauth::store::DeferredWork& work) override {
    store_.together_deferred(durability, work);
  }
  Result<std::vector<AuditEvent>> audit_log(Owner owner) override { return store_.audit_log(owner); }
  Result<AuditPage> audit_page(Owner owner, AuditQuery query) override { return store_.audit_page(owner, query); }
  Result<bool> try_acquire_refresh_lease(Owner owner, std::string_view id, std::string_view holder, TimePoint now,
                                         TimePoint until) override {
    return store_.try_acquire_refresh_lease(owner, id, holder, now, until);
  }
  Result<void> release_refresh_lease(Owner owner, std::string_view id, std::string_view holder) override {
    return store_.release_refresh_lease(owner, id, holder);
  }
  Result<void> erase_user(Owner owner) override { return store_.erase_user(owner); }
  Result<void> save_scope_catalogue(std::string_view provider, std::vector<ScopeRecord> scopes) override {
    return store_.save_scope_catalogue(provider, std::move(scopes));
  }
  Result<void> replace_resources(Owner owner, std::string_view id, std::string_view kind,
                                 std::vector<CachedResource> resources) override {
    return store_.replace_resources(owner, id, kind, std::move(resources));
  }
  Result<std::vector<CachedResource>> resources(Owner owner, std::string_view id, std::string_view kind) override {
    return store_.resources(owner, id, kind);
  }
  bool shares_rate_slots() const noexcept override { return store_.shares_rate_slots(); }
  Result<oauth::store::RateSlot> reserve_rate_slot(std::string_view key, oauth::store::RateSpacing spacing,
                                                   oauth::store::SlotRequest request) override {
    return store_.reserve_rate_slot(key, spacing, request);
  }

private:
  TokenStore<Backend>& store_;
};

}  // namespace oauth::detail::store

#endif
