#ifndef OAUTH_IMPL_MANAGER_VALIDATE_HPP
#define OAUTH_IMPL_MANAGER_VALIDATE_HPP

// Asking the provider whether an integration still works.

namespace oauth::detail::manager {

template <class V>
Result<Validation> BasicEngine<V>::validate_blocking(std::size_t provider, std::string tenant_id, std::string user_id,
                                                     std::string integration_id) {
  return async::wait<Validation>(
      executor_, validate(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id)));
}

template <class V>
boost::asio::awaitable<Result<Validation>> BasicEngine<V>::validate(std::size_t provider, std::string tenant_id,
                                                                    std::string user_id, std::string integration_id) {
  auto const& p = profile(provider);
  Owner const owner{tenant_id, user_id};
  auto request = ApiRequest::get(std::string(p.validation_endpoint.value_or("")));
  auto answer = co_await api_call(provider, tenant_id, user_id, integration_id, std::move(request));
  std::optional<Error> problem;
  if (!answer) {
    auto const& error = answer.error();
    // Only the provider's own refusal says the integration is broken; the network, a
    // busy provider or the store say nothing about it.
    if (error == Errc::needs_reauth)
      problem = error;
    else if (is_transient(error) || error.provider_status == 0)
      co_return error;
    else {
      auto rejecting = stored([&] { return reject_token(p.name, tenant_id, user_id, integration_id, error); });
      problem = co_await std::move(rejecting);
    }
  } else {
    auto recording_use = stored([&] { return store_->record_use(owner, integration_id, UseKind::validated, now()); });
    if (auto recorded = co_await std::move(recording_use); !recorded) co_return recorded.error();
  }
  auto reading = stored([&] { return store_->find(owner, integration_id); });
  auto record = co_await std::move(reading);
  if (!record) co_return record.error();
  co_return Validation{Integration::from(*record), !problem, std::move(problem)};
}

}  // namespace oauth::detail::manager

#endif
