#ifndef OAUTH_IMPL_MANAGER_VALIDATE_HPP
#define OAUTH_IMPL_MANAGER_VALIDATE_HPP

// Asking the provider whether an integration still works.

namespace oauth {

template <class... Ps>
template <Validatable P, class CompletionToken>
auto Manager<Ps...>::async_validate(std::string tenant_id, std::string user_id, std::string integration_id,
                                    CompletionToken&& token) {
  check_listed<P>();
  return detail::async::spawn<Validation>(
      executor_, validate_impl<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id)),
      std::forward<CompletionToken>(token));
}

template <class... Ps>
template <Validatable P>
Result<Validation> Manager<Ps...>::validate(std::string tenant_id, std::string user_id, std::string integration_id) {
  check_listed<P>();
  return detail::async::wait<Validation>(
      executor_, validate_impl<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id)));
}

template <class... Ps>
template <class P>
boost::asio::awaitable<Result<Validation>> Manager<Ps...>::validate_impl(std::string tenant_id, std::string user_id,
                                                                         std::string integration_id) {
  Owner const owner{tenant_id, user_id};
  auto request = ApiRequest::get(std::string(validation_endpoint<P>()));
  auto answer = co_await api_call<P>(tenant_id, user_id, integration_id, std::move(request));
  std::optional<Error> problem;
  if (!answer) {
    auto const& error = answer.error();
    // Only the provider's own refusal says the integration is broken; the network, a
    // busy provider or the store say nothing about it.
    if (error == Errc::needs_reauth)
      problem = error;
    else if (is_transient(error) || error.provider_status == 0)
      co_return error;
    else
      problem = reject_token<P>(tenant_id, user_id, integration_id, error);
  } else if (auto recorded = store_->record_use(owner, integration_id, UseKind::validated, now()); !recorded) {
    co_return recorded.error();
  }
  auto record = store_->find(owner, integration_id);
  if (!record) co_return record.error();
  co_return Validation{Integration::from(*record), !problem, std::move(problem)};
}

}  // namespace oauth

#endif
