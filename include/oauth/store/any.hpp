#ifndef OAUTH_STORE_ANY_HPP
#define OAUTH_STORE_ANY_HPP

#include <oauth/detail/store/store_port.hpp>
#include <oauth/error.hpp>
#include <oauth/store/rate_slots.hpp>
#include <oauth/store/records.hpp>
#include <oauth/store/token_store.hpp>
#include <oauth/store/unit_of_work.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace oauth::store {

/// Any backend, chosen at run time (from a store URL, say): one virtual call in front of
/// each operation. Copies share the backend.
class AnyBackend {
public:
  template <StoreBackend B>
    requires(!std::is_same_v<std::decay_t<B>, AnyBackend>)
  explicit AnyBackend(B backend) : self_(std::make_shared<Model<B>>(std::move(backend))) {}

  Result<void> put_state(FlowStateRecord s) { return self_->put_state(std::move(s)); }
  Result<FlowStateRecord> take_state(std::string_view s, std::string_view session, TimePoint now) {
    return self_->take_state(s, session, now);
  }
  Result<IntegrationRecord> save_connection(IntegrationRecord r, ConsentRecord c) {
    return self_->save_connection(std::move(r), std::move(c));
  }
  Result<IntegrationRecord> find_integration(Owner o, std::string_view id) const {
    return self_->find_integration(o, id);
  }
  Result<AccessRecord> find_access(Owner o, std::string_view id) const { return self_->find_access(o, id); }
  Result<std::vector<IntegrationRecord>> list_integrations(Owner o) const { return self_->list_integrations(o); }
  Result<IntegrationRecord> update_tokens(IntegrationRecord r, std::uint64_t v) {
    return self_->update_tokens(std::move(r), v);
  }
  Result<IntegrationRecord> set_status(Owner o, std::string_view id, IntegrationStatus s, TimePoint at) {
    return self_->set_status(o, id, s, at);
  }
  Result<void> record_use(Owner o, std::string_view id, UseKind u, TimePoint at) {
    return self_->record_use(o, id, u, at);
  }
  Result<IntegrationRecord> disconnect(Owner o, std::string_view id, TimePoint at) {
    return self_->disconnect(o, id, at);
  }
  Result<std::vector<ConsentRecord>> list_consents(Owner o) const { return self_->list_consents(o); }
  Result<void> append_audit(AuditEvent e) { return self_->append_audit(std::move(e)); }
  Result<void> together(Durability d, UnitOfWork work) { return self_->together(d, work); }
  /// Whether the backend chosen hands transactions over (TokenStore::together_deferred).
  bool defers_together() const noexcept { return self_->defers_together(); }
  void together_deferred(Durability d, DeferredWork& work) { self_->together_deferred(d, work); }
  Result<std::vector<AuditEvent>> audit_log(Owner o) const { return self_->audit_log(o); }
  Result<AuditPage> audit_page(Owner o, AuditQuery q) const { return self_->audit_page(o, q); }
  Result<void> keep_newest_audit(Owner o, std::size_t n) { return self_->keep_newest_audit(o, n); }
  Result<bool> try_acquire_refresh_lease(Owner o, std::string_view id, std::string_view holder, TimePoint now,
                                         TimePoint until) {
    return self_->try_acquire_refresh_lease(o, id, holder, now, until);
  }
  Result<void> release_refresh_lease(Owner o, std::string_view id, std::string_view holder) {
    return self_->release_refresh_lease(o, id, holder);
  }
  Result<void> erase_user(Owner o) { return self_->erase_user(o); }
  Result<void> save_scope_catalogue(std::string_view p, std::vector<ScopeRecord> s) {
    return self_->save_scope_catalogue(p, std::move(s));
  }
  Result<std::vector<ScopeRecord>> scope_catalogue(std::string_view p) const { return self_->scope_catalogue(p); }
  Result<std::vector<IntegrationRecord>> scan_integrations(std::string_view after, std::size_t limit) const {
    return self_->scan_integrations(after, limit);
  }
  Result<std::optional<std::string>> setting(std::string_view name) const { return self_->setting(name); }
  Result<void> put_setting(std::string_view name, std::string_view value) { return self_->put_setting(name, value); }
  Result<void> replace_resources(Owner o, std::string_view id, std::string_view kind, std::vector<CachedResource> r,
                                 TimePoint at) {
    return self_->replace_resources(o, id, kind, std::move(r), at);
  }
  Result<std::vector<CachedResource>> list_resources(Owner o, std::string_view id, std::string_view kind) const {
    return self_->list_resources(o, id, kind);
  }
  /// Whether the backend chosen keeps rate slots for every process (SharesRateSlots);
  /// reserve_rate_slot refuses when it does not.
  bool shares_rate_slots() const noexcept { return self_->shares_rate_slots(); }
  Result<RateSlot> reserve_rate_slot(std::string_view key, RateSpacing s, SlotRequest r) {
    return self_->reserve_rate_slot(key, s, r);
  }

private:
  struct Concept {
    Concept() = default;
    Concept(Concept const&) = delete;
    Concept& operator=(Concept const&) = delete;
    Concept(Concept&&) = delete;
    Concept& operator=(Concept&&) = delete;
    virtual ~Concept() = default;
    virtual Result<void> put_state(FlowStateRecord) = 0;
    virtual Result<FlowStateRecord> take_state(std::string_view, std::string_view, TimePoint) = 0;
    virtual Result<IntegrationRecord> save_connection(IntegrationRecord, ConsentRecord) = 0;
    virtual Result<IntegrationRecord> find_integration(Owner, std::string_view) const = 0;
    virtual Result<AccessRecord> find_access(Owner, std::string_view) const = 0;
    virtual Result<std::vector<IntegrationRecord>> list_integrations(Owner) const = 0;
    virtual Result<IntegrationRecord> update_tokens(IntegrationRecord, std::uint64_t) = 0;
    virtual Result<IntegrationRecord> set_status(Owner, std::string_view, IntegrationStatus, TimePoint) = 0;
    virtual Result<void> record_use(Owner, std::string_view, UseKind, TimePoint) = 0;
    virtual Result<IntegrationRecord> disconnect(Owner, std::string_view, TimePoint) = 0;
    virtual Result<std::vector<ConsentRecord>> list_consents(Owner) const = 0;
    virtual Result<void> append_audit(AuditEvent) = 0;
    virtual Result<void> together(Durability, UnitOfWork) = 0;
    virtual bool defers_together() const noexcept = 0;
    virtual void together_deferred(Durability, DeferredWork&) = 0;
    virtual Result<std::vector<AuditEvent>> audit_log(Owner) const = 0;
    virtual Result<AuditPage> audit_page(Owner, AuditQuery) const = 0;
    virtual Result<void> keep_newest_audit(Owner, std::size_t) = 0;
    virtual Result<bool> try_acquire_refresh_lease(Owner, std::string_view, std::string_view, TimePoint, TimePoint) = 0;
    virtual Result<void> release_refresh_lease(Owner, std::string_view, std::string_view) = 0;
    virtual Result<void> erase_user(Owner) = 0;
    virtual Result<void> save_scope_catalogue(std::string_view, std::vector<ScopeRecord>) = 0;
    virtual Result<std::vector<ScopeRecord>> scope_catalogue(std::string_view) const = 0;
    virtual Result<std::vector<IntegrationRecord>> scan_integrations(std::string_view, std::size_t) const = 0;
    virtual Result<std::optional<std::string>> setting(std::string_view) const = 0;
    virtual Result<void> put_setting(std::string_view, std::string_view) = 0;
    virtual Result<void> replace_resources(Owner, std::string_view, std::string_view, std::vector<CachedResource>,
                                           TimePoint) = 0;
    virtual Result<std::vector<CachedResource>> list_resources(Owner, std::string_view, std::string_view) const = 0;
    virtual bool shares_rate_slots() const noexcept = 0;
    virtual Result<RateSlot> reserve_rate_slot(std::string_view, RateSpacing, SlotRequest) = 0;
  };

  template <class B>
  struct Model final : Concept {
    explicit Model(B b) : backend(std::move(b)) {}
    Result<void> put_state(FlowStateRecord s) override { return backend.put_state(std::move(s)); }
    Result<FlowStateRecord> take_state(std::string_view s, std::string_view session, TimePoint now) override {
      return backend.take_state(s, session, now);
    }
    Result<IntegrationRecord> save_connection(IntegrationRecord r, ConsentRecord c) override {
      return backend.save_connection(std::move(r), std::move(c));
    }
    Result<IntegrationRecord> find_integration(Owner o, std::string_view id) const override {
      return backend.find_integration(o, id);
    }
    Result<AccessRecord> find_access(Owner o, std::string_view id) const override {
      return oauth::detail::store::read_access(backend, o, id);
    }
    Result<std::vector<IntegrationRecord>> list_integrations(Owner o) const override {
      return backend.list_integrations(o);
    }
    Result<IntegrationRecord> update_tokens(IntegrationRecord r, std::uint64_t v) override {
      return backend.update_tokens(std::move(r), v);
    }
    Result<IntegrationRecord> set_status(Owner o, std::string_view id, IntegrationStatus s, TimePoint at) override {
      return backend.set_status(o, id, s, at);
    }
    Result<void> record_use(Owner o, std::string_view id, UseKind u, TimePoint at) override {
      return backend.record_use(o, id, u, at);
    }
    Result<IntegrationRecord> disconnect(Owner o, std::string_view id, TimePoint at) override {
      return backend.disconnect(o, id, at);
    }
    Result<std::vector<ConsentRecord>> list_consents(Owner o) const override { return backend.list_consents(o); }
    Result<void> append_audit(AuditEvent e) override { return backend.append_audit(std::move(e)); }
    Result<void> together(Durability d, UnitOfWork work) override {
      if constexpr (requires { backend.together(d, work); })
        return backend.together(d, work);
      else
        return work();
    }
    static constexpr bool defers = requires(B & b, DeferredWork& w) { b.together_deferred(Durability::full, w); };
    bool defers_together() const noexcept override { return defers; }
    void together_deferred(Durability d, DeferredWork& work) override {
      if constexpr (defers)
        backend.together_deferred(d, work);
      else
        work.run_now();
    }
    Result<std::vector<AuditEvent>> audit_log(Owner o) const override { return backend.audit_log(o); }
    Result<AuditPage> audit_page(Owner o, AuditQuery q) const override { return backend.audit_page(o, q); }
    Result<void> keep_newest_audit(Owner o, std::size_t n) override { return backend.keep_newest_audit(o, n); }
    Result<bool> try_acquire_refresh_lease(Owner o, std::string_view id, std::string_view holder, TimePoint now,
                                           TimePoint until) override {
      return backend.try_acquire_refresh_lease(o, id, holder, now, until);
    }
    Result<void> release_refresh_lease(Owner o, std::string_view id, std::string_view holder) override {
      return backend.release_refresh_lease(o, id, holder);
    }
    Result<void> erase_user(Owner o) override { return backend.erase_user(o); }
    Result<void> save_scope_catalogue(std::string_view p, std::vector<ScopeRecord> s) override {
      return backend.save_scope_catalogue(p, std::move(s));
    }
    Result<std::vector<ScopeRecord>> scope_catalogue(std::string_view p) const override {
      return backend.scope_catalogue(p);
    }
    Result<std::vector<IntegrationRecord>> scan_integrations(std::string_view after, std::size_t limit) const override {
      return backend.scan_integrations(after, limit);
    }
    Result<std::optional<std::string>> setting(std::string_view name) const override { return backend.setting(name); }
    Result<void> put_setting(std::string_view name, std::string_view value) override {
      return backend.put_setting(name, value);
    }
    Result<void> replace_resources(Owner o, std::string_view id, std::string_view kind, std::vector<CachedResource> r,
                                   TimePoint at) override {
      return backend.replace_resources(o, id, kind, std::move(r), at);
    }
    Result<std::vector<CachedResource>> list_resources(Owner o, std::string_view id,
                                                       std::string_view kind) const override {
      return backend.list_resources(o, id, kind);
    }
    bool shares_rate_slots() const noexcept override { return SharesRateSlots<B>; }
    Result<RateSlot> reserve_rate_slot(std::string_view key, RateSpacing s, SlotRequest r) override {
      if constexpr (SharesRateSlots<B>)
        return backend.reserve_rate_slot(key, s, r);
      else
        return Error(Errc::invalid_argument, "this store keeps no rate slots shared between processes");
    }
    B backend;
  };

  std::shared_ptr<Concept> self_;
};

static_assert(StoreBackend<AnyBackend>);
static_assert(oauth::detail::store::FindsAccess<AnyBackend>);

}  // namespace oauth::store

#if defined(OAUTH_SEPARATE_COMPILATION)
extern template class oauth::TokenStore<oauth::store::AnyBackend>;
extern template class oauth::detail::store::StoreAdapter<oauth::store::AnyBackend>;
#endif

#endif
