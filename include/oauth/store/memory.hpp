#ifndef OAUTH_STORE_MEMORY_HPP
#define OAUTH_STORE_MEMORY_HPP

#include <oauth/crypto/state.hpp>
#include <oauth/detail/store/packed_records.hpp>
#include <oauth/detail/store/store_port.hpp>
#include <oauth/error.hpp>
#include <oauth/store/records.hpp>
#include <oauth/store/token_store.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace oauth::store {

/// Records in this process's memory, for tests and single-process development. Copies
/// share one store, as two connections to one database would. Gone when the process ends.
/// Integrations and consents are kept packed, one heap block each
/// (detail/store/packed_records.hpp): a million credentials take about what their
/// ciphertexts and identifiers do.
class MemoryBackend {
public:
  /// Its calls wait on nothing but its own short lock.
  static constexpr bool blocks = false;

  MemoryBackend() : data_(std::make_shared<Data>()) {}

  Result<void> put_state(FlowStateRecord state) {
    std::lock_guard lock(data_->mutex);
    auto key = state.state;
    if (data_->states.contains(key)) return Error(Errc::store_conflict, "authorization state already exists");
    data_->expiries.emplace(state.expires_at, key);
    data_->states.emplace(std::move(key), StateEntry{std::move(state), false});
    return {};
  }

  Result<FlowStateRecord> take_state(std::string_view state, std::string_view session_id, TimePoint now) {
    std::lock_guard lock(data_->mutex);
    // Used and expired states linger until an hour past expiry, so a replay is recognized.
    auto& expiries = data_->expiries;
    while (!expiries.empty() && expiries.begin()->first + std::chrono::hours(1) < now) {
      data_->states.erase(expiries.begin()->second);
      expiries.erase(expiries.begin());
    }
    auto it = data_->states.find(state);
    if (it == data_->states.end()) return Error(Errc::state_not_found);
    if (it->second.used) return Error(Errc::state_already_used);
    if (!crypto::state_matches(it->second.record.session_id, session_id)) return Error(Errc::state_mismatch);
    it->second.used = true;
    if (it->second.record.expires_at <= now) return Error(Errc::state_expired);
    return it->second.record;
  }

  Result<IntegrationRecord> save_connection(IntegrationRecord record, ConsentRecord consent) {
    std::lock_guard lock(data_->mutex);
    if (auto* existing = account_of(record)) {
      auto const stored = existing->record.unpack();
      record.id = stored.id;
      record.created_at = stored.created_at;
      record.last_used_at = stored.last_used_at;
      record.last_validated_at = stored.last_validated_at;
      record.version = stored.version + 1;
      existing->record = detail::store::PackedIntegration(record);
    } else {
      record.version = 1;
      record.created_at = record.updated_at;
      auto [added, inserted] = data_->integrations.emplace(detail::store::PackedIntegration(record), ++data_->sequence);
      data_->by_owner.emplace(owner_hash(record.owner()), &*added);
    }
    consent.integration_id = record.id;
    data_->consents.emplace_back(consent);
    return record;
  }

  Result<IntegrationRecord> find_integration(Owner owner, std::string_view id) const {
    std::lock_guard lock(data_->mutex);
    auto const* entry = owned(owner, id);
    if (entry == nullptr) return Error(Errc::integration_not_found);
    return entry->record.unpack();
  }

  Result<AccessRecord> find_access(Owner owner, std::string_view id) const {
    std::lock_guard lock(data_->mutex);
    auto const* entry = owned(owner, id);
    if (entry == nullptr) return Error(Errc::integration_not_found);
    return entry->record.access(owner, id);
  }

  Result<std::vector<IntegrationRecord>> list_integrations(Owner owner) const {
    std::lock_guard lock(data_->mutex);
    std::vector<IntegrationRecord> found;
    for (auto const* entry : entries_of(owner)) found.push_back(entry->record.unpack());
    return found;
  }

  Result<IntegrationRecord> update_tokens(IntegrationRecord record, std::uint64_t expected_version) {
    std::lock_guard lock(data_->mutex);
    auto* entry = owned(record.owner(), record.id);
    if (entry == nullptr) return Error(Errc::integration_not_found);
    if (entry->record.version() != expected_version || entry->record.status() == IntegrationStatus::disconnected)
      return Error(Errc::store_conflict, "integration changed since it was read");
    record.version = expected_version + 1;
    record.last_used_at = entry->record.last_used_at();
    record.last_validated_at = entry->record.last_validated_at();
    entry->record = detail::store::PackedIntegration(record);
    return record;
  }

  Result<IntegrationRecord> set_status(Owner owner, std::string_view id, IntegrationStatus status, TimePoint at) {
    std::lock_guard lock(data_->mutex);
    auto* entry = owned(owner, id);
    if (entry == nullptr) return Error(Errc::integration_not_found);
    entry->record.set_status(status, at);
    return entry->record.unpack();
  }

  Result<void> record_use(Owner owner, std::string_view id, UseKind use, TimePoint at) {
    std::lock_guard lock(data_->mutex);
    auto* entry = owned(owner, id);
    if (entry == nullptr) return Error(Errc::integration_not_found);
    entry->record.set_used(use, at);
    return {};
  }

  Result<IntegrationRecord> disconnect(Owner owner, std::string_view id, TimePoint at) {
    std::lock_guard lock(data_->mutex);
    auto* entry = owned(owner, id);
    if (entry == nullptr) return Error(Errc::integration_not_found);
    auto record = entry->record.unpack();
    record.access_token_ciphertext.clear();
    record.refresh_token_ciphertext.clear();
    record.key_id.clear();
    record.status = IntegrationStatus::disconnected;
    record.updated_at = at;
    ++record.version;
    entry->record = detail::store::PackedIntegration(record);
    std::erase_if(data_->consents, [&](auto const& c) { return c.integration_id() == id; });
    data_->resources.erase(std::string(id));
    return record;
  }

  Result<std::vector<ConsentRecord>> list_consents(Owner owner) const {
    std::lock_guard lock(data_->mutex);
    std::vector<ConsentRecord> found;
    for (auto const& consent : data_->consents)
      if (consent.owned_by(owner)) found.push_back(consent.unpack());
    return found;
  }

  Result<void> append_audit(AuditEvent event) {
    std::lock_guard lock(data_->mutex);
    data_->audit.push_back({++data_->audit_sequence, std::move(event)});
    return {};
  }

  Result<std::vector<AuditEvent>> audit_log(Owner owner) const {
    std::lock_guard lock(data_->mutex);
    std::vector<AuditEvent> found;
    for (auto const& [position, event] : data_->audit)
      if (event.tenant_id == owner.tenant_id && event.user_id == owner.user_id) found.push_back(event);
    return found;
  }

  Result<void> keep_newest_audit(Owner owner, std::size_t keep) {
    std::lock_guard lock(data_->mutex);
    std::size_t seen = 0;
    for (auto it = data_->audit.rbegin(); it != data_->audit.rend(); ++it)
      if (it->second.tenant_id == owner.tenant_id && it->second.user_id == owner.user_id && ++seen > keep)
        it->first = 0;  // marked: positions start at 1
    std::erase_if(data_->audit, [](auto const& entry) { return entry.first == 0; });
    return {};
  }

  Result<AuditPage> audit_page(Owner owner, AuditQuery query) const {
    std::lock_guard lock(data_->mutex);
    AuditPage page;
    std::uint64_t last = 0;
    for (auto it = data_->audit.rbegin(); it != data_->audit.rend(); ++it) {
      auto const& [position, event] = *it;
      if (event.tenant_id != owner.tenant_id || event.user_id != owner.user_id) continue;
      if (query.before && position >= *query.before) continue;
      if (page.events.size() == query.limit) {
        page.next = last;
        break;
      }
      page.events.push_back(event);
      last = position;
    }
    return page;
  }

  Result<bool> try_acquire_refresh_lease(Owner owner, std::string_view id, std::string_view holder, TimePoint now,
                                         TimePoint until) {
    std::lock_guard lock(data_->mutex);
    if (owned(owner, id) == nullptr) return Error(Errc::integration_not_found);
    auto& lease = data_->leases[std::string(id)];
    if (!lease.holder.empty() && lease.holder != holder && lease.until > now) return false;
    lease = Lease{std::string(holder), until};
    return true;
  }

  Result<void> release_refresh_lease(Owner owner, std::string_view id, std::string_view holder) {
    std::lock_guard lock(data_->mutex);
    auto it = data_->leases.find(id);
    if (it != data_->leases.end() && it->second.holder == holder && owned(owner, id) != nullptr)
      data_->leases.erase(it);
    return {};
  }

  Result<void> erase_user(Owner owner) {
    std::lock_guard lock(data_->mutex);
    auto const mine = [&](auto const& r) { return r.tenant_id == owner.tenant_id && r.user_id == owner.user_id; };
    auto const entries = entries_of(owner);
    auto [first, last] = data_->by_owner.equal_range(owner_hash(owner));
    for (auto it = first; it != last;)
      it = it->second->record.owned_by(owner) ? data_->by_owner.erase(it) : std::next(it);
    for (auto const* entry : entries) {
      auto const id = std::string(entry->record.id());
      data_->leases.erase(id);
      data_->resources.erase(id);
      data_->integrations.erase(data_->integrations.find(id));
    }
    std::erase_if(data_->consents, [&](auto const& c) { return c.owned_by(owner); });
    std::erase_if(data_->audit, [&](auto const& entry) { return mine(entry.second); });
    for (auto it = data_->states.begin(); it != data_->states.end();) {
      if (mine(it->second.record))
        it = data_->states.erase(it);
      else
        ++it;
    }
    std::erase_if(data_->expiries, [&](auto const& e) { return !data_->states.contains(e.second); });
    return {};
  }

  Result<void> save_scope_catalogue(std::string_view provider, std::vector<ScopeRecord> scopes) {
    std::lock_guard lock(data_->mutex);
    data_->catalogue[std::string(provider)] = std::move(scopes);
    return {};
  }

  Result<std::vector<ScopeRecord>> scope_catalogue(std::string_view provider) const {
    std::lock_guard lock(data_->mutex);
    auto it = data_->catalogue.find(provider);
    if (it == data_->catalogue.end()) return std::vector<ScopeRecord>{};
    return it->second;
  }

  Result<std::vector<IntegrationRecord>> scan_integrations(std::string_view after_id, std::size_t limit) const {
    std::lock_guard lock(data_->mutex);
    std::vector<Entry const*> after;
    for (auto const& entry : data_->integrations)
      if (entry.record.id() > after_id) after.push_back(&entry);
    auto const count = std::min(limit, after.size());
    std::partial_sort(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(count), after.end(),
                      [](Entry const* a, Entry const* b) { return a->record.id() < b->record.id(); });
    std::vector<IntegrationRecord> page;
    for (std::size_t i = 0; i < count; ++i) page.push_back(after[i]->record.unpack());
    return page;
  }

  Result<std::optional<std::string>> setting(std::string_view name) const {
    std::lock_guard lock(data_->mutex);
    auto it = data_->settings.find(name);
    if (it == data_->settings.end()) return std::optional<std::string>{};
    return std::optional<std::string>(it->second);
  }

  Result<void> put_setting(std::string_view name, std::string_view value) {
    std::lock_guard lock(data_->mutex);
    data_->settings[std::string(name)] = value;
    return {};
  }

  Result<void> replace_resources(Owner owner, std::string_view id, std::string_view kind,
                                 std::vector<CachedResource> resources, TimePoint at) {
    std::lock_guard lock(data_->mutex);
    if (owned(owner, id) == nullptr) return Error(Errc::integration_not_found);
    auto& cached = data_->resources[std::string(id)];
    std::erase_if(cached, [&](auto const& r) { return r.kind == kind; });
    for (auto& resource : resources) {
      resource.refreshed_at = at;
      cached.push_back(std::move(resource));
    }
    return {};
  }

  Result<std::vector<CachedResource>> list_resources(Owner owner, std::string_view id, std::string_view kind) const {
    std::lock_guard lock(data_->mutex);
    if (owned(owner, id) == nullptr) return Error(Errc::integration_not_found);
    std::vector<CachedResource> found;
    if (auto it = data_->resources.find(id); it != data_->resources.end())
      for (auto const& resource : it->second)
        if (resource.kind == kind) found.push_back(resource);
    std::sort(found.begin(), found.end(),
              [](auto const& a, auto const& b) { return std::tie(a.title, a.id) < std::tie(b.title, b.id); });
    return found;
  }

private:
  struct StateEntry {
    FlowStateRecord record;
    bool used = false;
  };
  struct Lease {
    std::string holder;
    TimePoint until;
  };
  /// An integration and when it was first stored, for listing a user's oldest first.
  struct Entry {
    Entry(detail::store::PackedIntegration packed, std::uint64_t at) : record(std::move(packed)), sequence(at) {}
    mutable detail::store::PackedIntegration record;
    std::uint64_t sequence;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    std::size_t operator()(Entry const& e) const noexcept { return (*this)(e.record.id()); }
  };
  struct SameId {
    using is_transparent = void;
    static std::string_view id(std::string_view s) noexcept { return s; }
    static std::string_view id(Entry const& e) noexcept { return e.record.id(); }
    bool operator()(auto const& a, auto const& b) const noexcept { return id(a) == id(b); }
  };
  struct Data {
    mutable std::mutex mutex;
    std::map<std::string, StateEntry, std::less<>> states;
    std::multimap<TimePoint, std::string> expiries;  ///< states by expiry, oldest first
    std::unordered_set<Entry, Hash, SameId> integrations;
    std::unordered_multimap<std::size_t, Entry const*> by_owner;  ///< by owner_hash
    std::uint64_t sequence = 0;
    std::vector<detail::store::PackedConsent> consents;
    std::vector<std::pair<std::uint64_t, AuditEvent>> audit;  ///< with their positions, oldest first
    std::uint64_t audit_sequence = 0;
    std::map<std::string, Lease, std::less<>> leases;
    std::map<std::string, std::vector<ScopeRecord>, std::less<>> catalogue;
    std::map<std::string, std::string, std::less<>> settings;
    std::map<std::string, std::vector<CachedResource>, std::less<>> resources;  ///< by integration id
  };

  static std::size_t owner_hash(Owner owner) noexcept {
    auto const tenant = std::hash<std::string_view>{}(owner.tenant_id);
    return tenant ^
           (std::hash<std::string_view>{}(owner.user_id) + 0x9e3779b97f4a7c15ULL + (tenant << 6) + (tenant >> 2));
  }

  /// The owner's integrations, oldest first.
  std::vector<Entry const*> entries_of(Owner owner) const {
    std::vector<Entry const*> found;
    auto [first, last] = data_->by_owner.equal_range(owner_hash(owner));
    for (auto it = first; it != last; ++it)
      if (it->second->record.owned_by(owner)) found.push_back(it->second);
    std::sort(found.begin(), found.end(), [](Entry const* a, Entry const* b) { return a->sequence < b->sequence; });
    return found;
  }

  /// The integration stored for the same account of the same owner at the same provider.
  Entry const* account_of(IntegrationRecord const& record) const {
    for (auto const* entry : entries_of(record.owner())) {
      auto const [tenant, user, provider, account] = entry->record.account();
      if (provider == record.provider && account == record.account_id) return entry;
    }
    return nullptr;
  }

  Entry const* owned(Owner owner, std::string_view id) const {
    auto it = data_->integrations.find(id);
    if (it == data_->integrations.end() || !it->record.owned_by(owner)) return nullptr;
    return &*it;
  }

  std::shared_ptr<Data> data_;
};

static_assert(StoreBackend<MemoryBackend>);
static_assert(oauth::detail::store::FindsAccess<MemoryBackend>);

}  // namespace oauth::store

#if defined(OAUTH_SEPARATE_COMPILATION)
extern template class oauth::TokenStore<oauth::store::MemoryBackend>;
extern template class oauth::detail::store::StoreAdapter<oauth::store::MemoryBackend>;
#endif

#endif
