#ifndef OAUTH_IMPL_MANAGER_ACCESS_HPP
#define OAUTH_IMPL_MANAGER_ACCESS_HPP

// Handing out an access token: from the store when it is fresh, through a refresh when
// it is not.

namespace oauth {

template <class... Ps>
template <class P, class CompletionToken>
auto Manager<Ps...>::async_get_access_token(std::string tenant_id, std::string user_id, std::string integration_id,
                                            CompletionToken&& token) {
  check_listed<P>();
  return detail::async::spawn<AccessGrant>(
      executor_, access<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id), false),
      std::forward<CompletionToken>(token));
}

template <class... Ps>
template <class P>
Result<AccessGrant> Manager<Ps...>::get_access_token(std::string_view tenant_id, std::string_view user_id,
                                                     std::string_view integration_id) {
  check_listed<P>();
  return access_blocking<P>(tenant_id, user_id, integration_id, false);
}

template <class... Ps>
template <class Record>
bool Manager<Ps...>::due_for_refresh(Record const& record, TimePoint at) const {
  if (!record.expires_at) return false;
  auto const lifetime = *record.expires_at - record.token_issued_at;
  auto const leeway = std::min<Clock::duration>(options_.refresh_leeway, lifetime / 2);
  return at >= *record.expires_at - leeway;
}

template <class... Ps>
AccessGrant Manager<Ps...>::grant(Credential const& credential, bool refreshed) {
  return {credential.access_token, credential.record.expires_at, credential.record.scopes, credential.record.id,
          refreshed};
}

template <class... Ps>
AccessGrant Manager<Ps...>::grant(AccessRecord&& record, AccessToken token) {
  return {std::move(token), record.expires_at, std::move(record.scopes), std::move(record.id), false};
}

template <class... Ps>
template <class P, class Record>
Result<Record> Manager<Ps...>::owned(Result<Record> record, std::string_view tenant_id, std::string_view user_id,
                                     std::string_view integration_id) {
  if (!record || (record->provider == P::name && record->status != IntegrationStatus::disconnected)) return record;
  Error refused(Errc::integration_not_found, std::string(P::name) + " has no such integration");
  audit({.tenant_id = std::string(tenant_id),
         .user_id = std::string(user_id),
         .provider = std::string(P::name),
         .integration_id = std::string(integration_id),
         .action = AuditAction::access_denied,
         .success = false,
         .reason = refused.message()});
  return refused;
}

template <class... Ps>
template <class P>
typename Manager<Ps...>::AccessPlan Manager<Ps...>::plan_access(std::string_view tenant_id, std::string_view user_id,
                                                                std::string_view integration_id, bool force) {
  auto record = owned<P>(store_->find_access({tenant_id, user_id}, integration_id), tenant_id, user_id, integration_id);
  if (!record) return {record.error(), {}};
  if (record->status == IntegrationStatus::needs_reauth)
    return {Error(Errc::needs_reauth, std::string(P::name) + " integration must be authorized again"), {}};
  if (record->status == IntegrationStatus::pending)
    return {Error(Errc::integration_not_found, std::string(P::name) + " integration is not yet active"), {}};
  if constexpr (Refreshable<P>) {
    if (force || due_for_refresh(*record, now())) return {std::nullopt, std::move(*record)};
  } else {
    if (record->expires_at && *record->expires_at <= now())
      return {mark_needs_reauth<P>(*record, Error(Errc::token_expired, std::string(P::name) + " cannot refresh")), {}};
  }
  auto token = store_->access_token(*record);
  if (!token) return {token.error(), {}};
  note_use(*record);
  return {grant(std::move(*record), std::move(*token)), {}};
}

template <class... Ps>
template <class P>
boost::asio::awaitable<Result<AccessGrant>> Manager<Ps...>::access(std::string tenant_id, std::string user_id,
                                                                   std::string integration_id, bool force) {
  auto plan = plan_access<P>(tenant_id, user_id, integration_id, force);
  if (plan.answer) co_return std::move(*plan.answer);
  if constexpr (Refreshable<P>)
    co_return co_await shared_refresh<P>(std::move(plan.refresh_from));
  else
    co_return Error(Errc::invalid_argument, "no refresh for a provider that cannot refresh");
}

template <class... Ps>
template <class P>
Result<AccessGrant> Manager<Ps...>::access_blocking(std::string_view tenant_id, std::string_view user_id,
                                                    std::string_view integration_id, bool force) {
  auto plan = plan_access<P>(tenant_id, user_id, integration_id, force);
  if (plan.answer) return std::move(*plan.answer);
  if constexpr (Refreshable<P>)
    return detail::async::wait<AccessGrant>(executor_, shared_refresh<P>(std::move(plan.refresh_from)));
  else
    return Error(Errc::invalid_argument, "no refresh for a provider that cannot refresh");
}

template <class... Ps>
template <class Record>
void Manager<Ps...>::note_use(Record const& record) {
  auto const at = now();
  if (record.last_used_at && at - *record.last_used_at < options_.last_used_resolution) return;
  (void)store_->record_use(record.owner(), record.id, UseKind::used, at);
}

}  // namespace oauth

#endif
