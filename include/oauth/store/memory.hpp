#ifndef OAUTH_STORE_MEMORY_HPP
#define OAUTH_STORE_MEMORY_HPP

#include <oauth/error.hpp>
#include <oauth/records.hpp>
#include <oauth/token_store.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::store {

/// Records in this process's memory, for tests and single-process development. Copies
/// share one store, as two connections to one database would.
class MemoryBackend {
public:
  MemoryBackend() : data_(std::make_shared<Data>()) {}

  Result<void> put_state(FlowStateRecord state) {
    std::lock_guard lock(data_->mutex);
    auto key = state.state;
    if (data_->states.contains(key)) return Error(Errc::store_conflict, "authorization state already exists");
    data_->expiries.emplace(state.expires_at, key);
    data_->states.emplace(std::move(key), StateEntry{std::move(state), false});
    return {};
  }

  Result<FlowStateRecord> take_state(std::string_view state, TimePoint now) {
    std::lock_guard lock(data_->mutex);
    // Used and expired states linger until an hour past expiry, so a replay is recognized.
    auto& expiries = data_->expiries;
    while (!expiries.empty() && expiries.begin()->first + std::chrono::hours(1) < now) {
      data_->states.erase(expiries.begin()->second);
      expiries.erase(expiries.begin());
    }
    auto it = data_->states.find(std::string(state));
    if (it == data_->states.end()) return Error(Errc::state_not_found);
    if (it->second.used) return Error(Errc::state_already_used);
    it->second.used = true;
    if (it->second.record.expires_at <= now) return Error(Errc::state_expired);
    return it->second.record;
  }

  Result<IntegrationRecord> save_connection(IntegrationRecord record, ConsentRecord consent) {
    std::lock_guard lock(data_->mutex);
    auto existing = std::find_if(data_->integrations.begin(), data_->integrations.end(), [&](auto const& e) {
      auto const& r = e.second;
      return r.tenant_id == record.tenant_id && r.user_id == record.user_id && r.provider == record.provider &&
             r.account_id == record.account_id;
    });
    if (existing != data_->integrations.end()) {
      record.id = existing->second.id;
      record.created_at = existing->second.created_at;
      record.version = existing->second.version + 1;
      existing->second = record;
    } else {
      record.version = 1;
      record.created_at = record.updated_at;
      data_->integrations.emplace(record.id, record);
    }
    consent.integration_id = record.id;
    data_->consents.push_back(std::move(consent));
    return record;
  }

  Result<IntegrationRecord> find_integration(std::string_view tenant_id, std::string_view user_id,
                                             std::string_view id) const {
    std::lock_guard lock(data_->mutex);
    auto const* record = owned(tenant_id, user_id, id);
    if (record == nullptr) return Error(Errc::integration_not_found);
    return *record;
  }

  Result<std::vector<IntegrationRecord>> list_integrations(std::string_view tenant_id, std::string_view user_id) const {
    std::lock_guard lock(data_->mutex);
    std::vector<IntegrationRecord> found;
    for (auto const& [id, record] : data_->integrations)
      if (record.tenant_id == tenant_id && record.user_id == user_id) found.push_back(record);
    std::sort(found.begin(), found.end(), [](auto const& a, auto const& b) { return a.created_at < b.created_at; });
    return found;
  }

  Result<IntegrationRecord> update_tokens(IntegrationRecord record, std::uint64_t expected_version) {
    std::lock_guard lock(data_->mutex);
    auto it = data_->integrations.find(record.id);
    if (it == data_->integrations.end()) return Error(Errc::integration_not_found);
    if (it->second.version != expected_version || it->second.status == IntegrationStatus::disconnected)
      return Error(Errc::store_conflict, "integration changed since it was read");
    record.version = expected_version + 1;
    it->second = record;
    return record;
  }

  Result<IntegrationRecord> set_status(std::string_view id, IntegrationStatus status) {
    std::lock_guard lock(data_->mutex);
    auto it = data_->integrations.find(std::string(id));
    if (it == data_->integrations.end()) return Error(Errc::integration_not_found);
    it->second.status = status;
    ++it->second.version;
    return it->second;
  }

  Result<IntegrationRecord> disconnect(std::string_view tenant_id, std::string_view user_id, std::string_view id,
                                       TimePoint at) {
    std::lock_guard lock(data_->mutex);
    auto* record = owned(tenant_id, user_id, id);
    if (record == nullptr) return Error(Errc::integration_not_found);
    record->access_token_ciphertext.clear();
    record->refresh_token_ciphertext.clear();
    record->status = IntegrationStatus::disconnected;
    record->updated_at = at;
    ++record->version;
    std::erase_if(data_->consents, [&](auto const& c) { return c.integration_id == id; });
    return *record;
  }

  Result<std::vector<ConsentRecord>> list_consents(std::string_view tenant_id, std::string_view user_id) const {
    std::lock_guard lock(data_->mutex);
    std::vector<ConsentRecord> found;
    for (auto const& consent : data_->consents)
      if (consent.tenant_id == tenant_id && consent.user_id == user_id) found.push_back(consent);
    return found;
  }

  Result<void> append_audit(AuditEvent event) {
    std::lock_guard lock(data_->mutex);
    data_->audit.push_back(std::move(event));
    return {};
  }

  Result<std::vector<AuditEvent>> audit_log(std::string_view tenant_id) const {
    std::lock_guard lock(data_->mutex);
    std::vector<AuditEvent> found;
    for (auto const& event : data_->audit)
      if (event.tenant_id == tenant_id) found.push_back(event);
    return found;
  }

  Result<bool> try_acquire_refresh_lease(std::string_view id, std::string_view holder, TimePoint now, TimePoint until) {
    std::lock_guard lock(data_->mutex);
    auto& lease = data_->leases[std::string(id)];
    if (!lease.holder.empty() && lease.holder != holder && lease.until > now) return false;
    lease = Lease{std::string(holder), until};
    return true;
  }

  Result<void> release_refresh_lease(std::string_view id, std::string_view holder) {
    std::lock_guard lock(data_->mutex);
    auto it = data_->leases.find(std::string(id));
    if (it != data_->leases.end() && it->second.holder == holder) data_->leases.erase(it);
    return {};
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
  struct Data {
    mutable std::mutex mutex;
    std::map<std::string, StateEntry, std::less<>> states;
    std::multimap<TimePoint, std::string> expiries;  ///< states by expiry, oldest first
    std::map<std::string, IntegrationRecord, std::less<>> integrations;
    std::vector<ConsentRecord> consents;
    std::vector<AuditEvent> audit;
    std::map<std::string, Lease, std::less<>> leases;
  };

  IntegrationRecord* owned(std::string_view tenant_id, std::string_view user_id, std::string_view id) const {
    auto it = data_->integrations.find(id);
    if (it == data_->integrations.end() || it->second.tenant_id != tenant_id || it->second.user_id != user_id)
      return nullptr;
    return &it->second;
  }

  std::shared_ptr<Data> data_;
};

static_assert(StoreBackend<MemoryBackend>);

}  // namespace oauth::store

#endif
