#ifndef OAUTH_STORE_MEMORY_HPP
#define OAUTH_STORE_MEMORY_HPP

#include <oauth/crypto/state.hpp>
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
#include <utility>
#include <vector>

namespace oauth::store {

/// Records in this process's memory, for tests and single-process development. Copies
/// share one store, as two connections to one database would. Gone when the process ends.
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
    AccountKey account{record.tenant_id, record.user_id, record.provider, record.account_id};
    if (auto found = data_->accounts.find(account); found != data_->accounts.end()) {
      auto& existing = data_->integrations.at(found->second);
      record.id = existing.id;
      record.created_at = existing.created_at;
      record.last_used_at = existing.last_used_at;
      record.last_validated_at = existing.last_validated_at;
      record.version = existing.version + 1;
      existing = record;
    } else {
      record.version = 1;
      record.created_at = record.updated_at;
      data_->accounts.emplace(std::move(account), record.id);
      data_->by_owner[{record.tenant_id, record.user_id}].push_back(record.id);
      data_->integrations.emplace(record.id, record);
    }
    consent.integration_id = record.id;
    data_->consents.push_back(std::move(consent));
    return record;
  }

  Result<IntegrationRecord> find_integration(Owner owner, std::string_view id) const {
    std::lock_guard lock(data_->mutex);
    auto const* record = owned(owner, id);
    if (record == nullptr) return Error(Errc::integration_not_found);
    return *record;
  }

  Result<AccessRecord> find_access(Owner owner, std::string_view id) const {
    std::lock_guard lock(data_->mutex);
    auto const* r = owned(owner, id);
    if (r == nullptr) return Error(Errc::integration_not_found);
    // The id and owner from the arguments: equal, and no cache line of the record's own.
    return AccessRecord{std::string(id),
                        std::string(owner.tenant_id),
                        std::string(owner.user_id),
                        r->provider,
                        r->status,
                        r->version,
                        r->access_token_ciphertext,
                        r->key_id,
                        r->expires_at,
                        r->token_issued_at,
                        r->scopes,
                        r->last_used_at};
  }

  Result<std::vector<IntegrationRecord>> list_integrations(Owner owner) const {
    std::lock_guard lock(data_->mutex);
    std::vector<IntegrationRecord> found;
    if (auto ids = data_->by_owner.find(OwnerKey{owner.tenant_id, owner.user_id}); ids != data_->by_owner.end())
      for (auto const& id : ids->second) found.push_back(data_->integrations.at(id));
    return found;
  }

  Result<IntegrationRecord> update_tokens(IntegrationRecord record, std::uint64_t expected_version) {
    std::lock_guard lock(data_->mutex);
    auto* stored = owned(record.owner(), record.id);
    if (stored == nullptr) return Error(Errc::integration_not_found);
    if (stored->version != expected_version || stored->status == IntegrationStatus::disconnected)
      return Error(Errc::store_conflict, "integration changed since it was read");
    record.version = expected_version + 1;
    record.last_used_at = stored->last_used_at;
    record.last_validated_at = stored->last_validated_at;
    *stored = record;
    return record;
  }

  Result<IntegrationRecord> set_status(Owner owner, std::string_view id, IntegrationStatus status, TimePoint at) {
    std::lock_guard lock(data_->mutex);
    auto* record = owned(owner, id);
    if (record == nullptr) return Error(Errc::integration_not_found);
    record->status = status;
    record->updated_at = at;
    ++record->version;
    return *record;
  }

  Result<void> record_use(Owner owner, std::string_view id, UseKind use, TimePoint at) {
    std::lock_guard lock(data_->mutex);
    auto* record = owned(owner, id);
    if (record == nullptr) return Error(Errc::integration_not_found);
    (use == UseKind::used ? record->last_used_at : record->last_validated_at) = at;
    return {};
  }

  Result<IntegrationRecord> disconnect(Owner owner, std::string_view id, TimePoint at) {
    std::lock_guard lock(data_->mutex);
    auto* record = owned(owner, id);
    if (record == nullptr) return Error(Errc::integration_not_found);
    record->access_token_ciphertext.clear();
    record->refresh_token_ciphertext.clear();
    record->key_id.clear();
    record->status = IntegrationStatus::disconnected;
    record->updated_at = at;
    ++record->version;
    std::erase_if(data_->consents, [&](auto const& c) { return c.integration_id == id; });
    data_->resources.erase(std::string(id));
    return *record;
  }

  Result<std::vector<ConsentRecord>> list_consents(Owner owner) const {
    std::lock_guard lock(data_->mutex);
    std::vector<ConsentRecord> found;
    for (auto const& consent : data_->consents)
      if (consent.tenant_id == owner.tenant_id && consent.user_id == owner.user_id) found.push_back(consent);
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
    if (auto ids = data_->by_owner.find(OwnerKey{owner.tenant_id, owner.user_id}); ids != data_->by_owner.end()) {
      for (auto const& id : ids->second) {
        auto const& record = data_->integrations.at(id);
        data_->accounts.erase(AccountKey{record.tenant_id, record.user_id, record.provider, record.account_id});
        data_->leases.erase(id);
        data_->resources.erase(id);
        data_->integrations.erase(id);
      }
      data_->by_owner.erase(ids);
    }
    std::erase_if(data_->consents, mine);
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
    std::vector<std::string_view> ids;
    for (auto const& [id, record] : data_->integrations)
      if (id > after_id) ids.push_back(id);
    auto const count = std::min(limit, ids.size());
    std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(count), ids.end());
    std::vector<IntegrationRecord> page;
    for (std::size_t i = 0; i < count; ++i) page.push_back(data_->integrations.find(ids[i])->second);
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
  using OwnerKey = std::pair<std::string, std::string>;
  using AccountKey = std::tuple<std::string, std::string, std::string, std::string>;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Data {
    mutable std::mutex mutex;
    std::map<std::string, StateEntry, std::less<>> states;
    std::multimap<TimePoint, std::string> expiries;  ///< states by expiry, oldest first
    std::unordered_map<std::string, IntegrationRecord, Hash, std::equal_to<>> integrations;
    std::map<OwnerKey, std::vector<std::string>, std::less<>> by_owner;  ///< integration ids, oldest first
    std::map<AccountKey, std::string> accounts;                          ///< integration id per account
    std::vector<ConsentRecord> consents;
    std::vector<std::pair<std::uint64_t, AuditEvent>> audit;  ///< with their positions, oldest first
    std::uint64_t audit_sequence = 0;
    std::map<std::string, Lease, std::less<>> leases;
    std::map<std::string, std::vector<ScopeRecord>, std::less<>> catalogue;
    std::map<std::string, std::string, std::less<>> settings;
    std::map<std::string, std::vector<CachedResource>, std::less<>> resources;  ///< by integration id
  };

  IntegrationRecord* owned(Owner owner, std::string_view id) const {
    auto it = data_->integrations.find(id);
    if (it == data_->integrations.end() || it->second.tenant_id != owner.tenant_id ||
        it->second.user_id != owner.user_id)
      return nullptr;
    return &it->second;
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
