#ifndef OAUTH_IMPL_MANAGER_ERASE_HPP
#define OAUTH_IMPL_MANAGER_ERASE_HPP

// A user's data: exported, or erased with revocation at every provider.

namespace oauth {

template <class... Ps>
Result<boost::json::object> Manager<Ps...>::export_user_data(std::string_view tenant_id, std::string_view user_id) {
  auto records = store_->list({tenant_id, user_id});
  if (!records) return records.error();
  auto consents = store_->consents({tenant_id, user_id});
  if (!consents) return consents.error();
  auto events = store_->audit_log({tenant_id, user_id});
  if (!events) return events.error();
  boost::json::object out;
  out["tenant_id"] = tenant_id;
  out["user_id"] = user_id;
  out["exported_at"] = detail::encoding::to_rfc3339(now());
  auto& integrations = out["integrations"].emplace_array();
  for (auto const& record : *records) integrations.push_back(to_json(record));
  auto& consent_list = out["consents"].emplace_array();
  for (auto const& consent : *consents) consent_list.push_back(to_json(consent));
  auto& audit_list = out["audit"].emplace_array();
  for (auto const& event : *events) audit_list.push_back(to_json(event));
  return out;
}

template <class... Ps>
template <class CompletionToken>
auto Manager<Ps...>::async_erase_user(std::string tenant_id, std::string user_id, CompletionToken&& token) {
  return detail::async::spawn<Erasure>(executor_, erase_impl(std::move(tenant_id), std::move(user_id)),
                                       std::forward<CompletionToken>(token));
}

template <class... Ps>
Result<Erasure> Manager<Ps...>::erase_user(std::string tenant_id, std::string user_id) {
  return detail::async::wait<Erasure>(executor_, erase_impl(std::move(tenant_id), std::move(user_id)));
}

template <class... Ps>
boost::asio::awaitable<Result<Erasure>> Manager<Ps...>::erase_impl(std::string tenant_id, std::string user_id) {
  auto records = store_->list({tenant_id, user_id});
  if (!records) co_return records.error();
  Erasure erasure;
  erasure.integrations = records->size();
  for (auto const& record : *records) {
    if (record.status == IntegrationStatus::disconnected) continue;
    std::optional<boost::asio::awaitable<Result<Disconnection>>> disconnecting;
    bool const known = visit_provider(record.provider, [&](auto type) {
      using P = typename decltype(type)::type;
      disconnecting.emplace(disconnect_impl<P>(tenant_id, user_id, record.id));
    });
    if (!known) {
      erasure.revocation_failures.emplace_back(
          record.id, Error(Errc::provider_not_configured, record.provider + " is not in this manager"));
      continue;
    }
    auto disconnected = co_await std::move(*disconnecting);
    if (!disconnected)
      erasure.revocation_failures.emplace_back(record.id, disconnected.error());
    else if (disconnected->revocation_error)
      erasure.revocation_failures.emplace_back(record.id, *disconnected->revocation_error);
    else if (disconnected->revoked_at_provider)
      ++erasure.revoked_at_provider;
  }
  if (auto erased = store_->erase_user({tenant_id, user_id}); !erased) co_return erased.error();
  co_return erasure;
}

}  // namespace oauth

#endif
