#ifndef OAUTH_IMPL_MANAGER_ERASE_HPP
#define OAUTH_IMPL_MANAGER_ERASE_HPP

// A user's data: exported, or erased with revocation at every provider.

namespace oauth::detail::manager {

template <class V>
Result<boost::json::object> BasicEngine<V>::export_user_data(std::string_view tenant_id, std::string_view user_id) {
  auto records = store_->list({tenant_id, user_id});
  if (!records) return records.error();
  auto consents = store_->consents({tenant_id, user_id});
  if (!consents) return consents.error();
  auto events = store_->audit_log({tenant_id, user_id});
  if (!events) return events.error();
  boost::json::object out;
  out["tenant_id"] = tenant_id;
  out["user_id"] = user_id;
  out["exported_at"] = encoding::to_rfc3339(now());
  auto& integrations = out["integrations"].emplace_array();
  for (auto const& record : *records) integrations.push_back(to_json(record));
  auto& consent_list = out["consents"].emplace_array();
  for (auto const& consent : *consents) consent_list.push_back(to_json(consent));
  auto& audit_list = out["audit"].emplace_array();
  for (auto const& event : *events) audit_list.push_back(to_json(event));
  return out;
}

template <class V>
Result<Erasure> BasicEngine<V>::erase_user_blocking(std::string tenant_id, std::string user_id) {
  return async::wait<Erasure>(executor_, erase_user(std::move(tenant_id), std::move(user_id)));
}

template <class V>
boost::asio::awaitable<Result<Erasure>> BasicEngine<V>::erase_user(std::string tenant_id, std::string user_id) {
  auto listing = stored([&] { return store_->list({tenant_id, user_id}); });
  auto records = co_await std::move(listing);
  if (!records) co_return records.error();
  Erasure erasure;
  erasure.integrations = records->size();
  for (auto const& record : *records) {
    if (record.status == IntegrationStatus::disconnected) continue;
    auto const provider = provider_named(record.provider);
    if (provider == any_provider) {
      erasure.revocation_failures.emplace_back(
          record.id, Error(Errc::provider_not_configured, record.provider + " is not in this manager"));
      continue;
    }
    auto disconnecting = disconnect(provider, tenant_id, user_id, record.id);
    auto disconnected = co_await std::move(disconnecting);
    if (!disconnected)
      erasure.revocation_failures.emplace_back(record.id, disconnected.error());
    else if (disconnected->revocation_error)
      erasure.revocation_failures.emplace_back(record.id, *disconnected->revocation_error);
    else if (disconnected->revoked_at_provider)
      ++erasure.revoked_at_provider;
  }
  auto erasing = stored([&] { return store_->erase_user({tenant_id, user_id}); });
  if (auto erased = co_await std::move(erasing); !erased) co_return erased.error();
  co_return erasure;
}

}  // namespace oauth::detail::manager

#endif
