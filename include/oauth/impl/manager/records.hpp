#ifndef OAUTH_IMPL_MANAGER_RECORDS_HPP
#define OAUTH_IMPL_MANAGER_RECORDS_HPP

// What the store holds for a user: integrations, consents, the audit log, cached
// resources.

namespace oauth::detail::manager {

template <class V>
Result<std::vector<CachedResource>> BasicEngine<V>::cached_resources(std::string_view tenant_id,
                                                                     std::string_view user_id,
                                                                     std::string_view integration_id,
                                                                     std::string_view kind) {
  return store_->resources({tenant_id, user_id}, integration_id, kind);
}

template <class V>
Result<void> BasicEngine<V>::replace_cached_resources(std::string_view tenant_id, std::string_view user_id,
                                                      std::string_view integration_id, std::string_view kind,
                                                      std::vector<CachedResource> resources) {
  return store_->replace_resources({tenant_id, user_id}, integration_id, kind, std::move(resources));
}

template <class V>
Result<std::vector<Integration>> BasicEngine<V>::integrations(std::string_view tenant_id, std::string_view user_id) {
  auto records = store_->list({tenant_id, user_id});
  if (!records) return records.error();
  std::vector<Integration> out;
  for (auto const& record : *records) out.push_back(Integration::from(record));
  return out;
}

template <class V>
Result<Integration> BasicEngine<V>::integration(std::string_view tenant_id, std::string_view user_id,
                                                std::string_view id) {
  auto record = store_->find({tenant_id, user_id}, id);
  if (!record) return record.error();
  return Integration::from(*record);
}

template <class V>
Result<std::vector<ConsentRecord>> BasicEngine<V>::consents(std::string_view tenant_id, std::string_view user_id) {
  return store_->consents({tenant_id, user_id});
}

template <class V>
Result<std::vector<AuditEvent>> BasicEngine<V>::audit_log(std::string_view tenant_id, std::string_view user_id) {
  return store_->audit_log({tenant_id, user_id});
}

template <class V>
Result<AuditPage> BasicEngine<V>::audit_page(std::string_view tenant_id, std::string_view user_id, AuditQuery query) {
  return store_->audit_page({tenant_id, user_id}, query);
}

}  // namespace oauth::detail::manager

#endif
