#ifndef OAUTH_IMPL_MANAGER_ACCESS_HPP
#define OAUTH_IMPL_MANAGER_ACCESS_HPP

// Handing out an access token: from the store when it is fresh, through a refresh when
// it is not.

namespace oauth::detail::manager {

template <class V>
template <class Record>
bool BasicEngine<V>::due_for_refresh(Record const& record, TimePoint at) const {
  if (!record.expires_at) return false;
  auto const lifetime = *record.expires_at - record.token_issued_at;
  auto const leeway = std::min<Clock::duration>(options_.refresh_leeway, lifetime / 2);
  return at >= *record.expires_at - leeway;
}

template <class V>
AccessGrant BasicEngine<V>::grant(Credential const& credential, bool refreshed) {
  return {credential.access_token,
          credential.record.expires_at,
          credential.record.scopes,
          credential.record.id,
          refreshed,
          credential.record.provider};
}

template <class V>
AccessGrant BasicEngine<V>::grant(AccessRecord&& record, AccessToken token) {
  return {std::move(token),          record.expires_at, std::move(record.scopes), std::move(record.id), false,
          std::move(record.provider)};
}

template <class V>
template <class Record>
Result<Record> BasicEngine<V>::owned(std::string_view provider, Result<Record> record, std::string_view tenant_id,
                                     std::string_view user_id, std::string_view integration_id) {
  keep_if_owned(provider, record, tenant_id, user_id, integration_id);
  return record;
}

template <class V>
template <class Record>
void BasicEngine<V>::keep_if_owned(std::string_view provider, Result<Record>& record, std::string_view tenant_id,
                                   std::string_view user_id, std::string_view integration_id) {
  if (!record || (record->provider == provider && record->status != IntegrationStatus::disconnected)) return;
  Error refused(Errc::integration_not_found, std::string(provider) + " has no such integration");
  audit({.tenant_id = std::string(tenant_id),
         .user_id = std::string(user_id),
         .provider = std::string(provider),
         .integration_id = std::string(integration_id),
         .action = AuditAction::access_denied,
         .success = false,
         .reason = refused.message()});
  record = std::move(refused);
}

template <class V>
std::size_t BasicEngine<V>::provider_named(std::string_view name) const noexcept {
  auto const listed =
      std::find_if(providers_.begin(), providers_.end(), [&](ProviderProfile const* p) { return p->name == name; });
  return listed == providers_.end() ? any_provider : static_cast<std::size_t>(listed - providers_.begin());
}

template <class V>
typename BasicEngine<V>::AccessPlan BasicEngine<V>::plan_access(std::size_t provider, std::string_view tenant_id,
                                                                std::string_view user_id,
                                                                std::string_view integration_id, bool force) {
  auto record = store_->find_access({tenant_id, user_id}, integration_id);
  if (!record) return {record.error(), provider};
  if (provider == any_provider) {
    provider = provider_named(record->provider);
    if (provider == any_provider)
      return {Error(Errc::provider_not_configured, record->provider + " is not in this manager"), provider};
  }
  auto const& p = profile(provider);
  auto const at = now();
  keep_if_owned(p.name, record, tenant_id, user_id, integration_id);
  if (!record) return {record.error(), provider};
  if (force && !p.supports_refresh)
    return {Error(Errc::refresh_unsupported, std::string(p.name) + " issues no refresh tokens"), provider};
  if (record->status == IntegrationStatus::needs_reauth)
    return {Error(Errc::needs_reauth, std::string(p.name) + " integration must be authorized again"), provider};
  if (record->status == IntegrationStatus::pending)
    return {Error(Errc::integration_not_found, std::string(p.name) + " integration is not yet active"), provider};
  if (p.supports_refresh) {
    if (force || due_for_refresh(*record, at)) return {std::move(*record), provider};
  } else if (record->expires_at && *record->expires_at <= at) {
    return {mark_needs_reauth(p.name, *record, Error(Errc::token_expired, std::string(p.name) + " cannot refresh")),
            provider};
  }
  auto token = store_->access_token(*record);
  if (!token) return {token.error(), provider};
  note_use(*record, at);
  return {grant(std::move(*record), std::move(*token)), provider};
}

template <class V>
boost::asio::awaitable<Result<AccessGrant>> BasicEngine<V>::access(std::size_t provider, std::string tenant_id,
                                                                   std::string user_id, std::string integration_id,
                                                                   bool force) {
  auto plan_here = [&] { return plan_access(provider, tenant_id, user_id, integration_id, force); };
  // A fresh token is the hot path: a store that never blocks is read without a detour.
  AccessPlan plan;
  if (store_executor_) {
    auto planning = async::offload(store_executor_, plan_here);
    plan = co_await std::move(planning);
  } else {
    plan = plan_here();
  }
  if (auto* answer = plan.answer()) co_return std::move(*answer);
  co_return co_await shared_refresh(plan.provider, plan.take_refresh_from());
}

template <class V>
boost::asio::awaitable<Result<AccessGrant>> BasicEngine<V>::access_here(std::size_t provider, std::string tenant_id,
                                                                        std::string user_id, std::string integration_id,
                                                                        bool force) {
  constexpr auto cancellable = async::cancellation_type::terminal | async::cancellation_type::partial;
  if (store_executor_) {
    auto accessing = async::run_on<AccessGrant>(
        executor_, access(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id), force),
        cancellable);
    co_return co_await std::move(accessing);
  }
  auto plan = plan_access(provider, tenant_id, user_id, integration_id, force);
  if (auto* answer = plan.answer()) co_return std::move(*answer);
  auto refreshing =
      async::run_on<AccessGrant>(executor_, shared_refresh(plan.provider, plan.take_refresh_from()), cancellable);
  co_return co_await std::move(refreshing);
}

template <class V>
Result<AccessGrant> BasicEngine<V>::access_blocking(std::size_t provider, std::string_view tenant_id,
                                                    std::string_view user_id, std::string_view integration_id,
                                                    bool force) {
  auto plan = plan_access(provider, tenant_id, user_id, integration_id, force);
  if (auto* answer = plan.answer()) return std::move(*answer);
  return async::wait<AccessGrant>(executor_, shared_refresh(plan.provider, plan.take_refresh_from()));
}

template <class V>
template <class Record>
void BasicEngine<V>::note_use(Record const& record, TimePoint at) {
  if (record.last_used_at && at - *record.last_used_at < options_.last_used_resolution) return;
  (void)store_->record_use(record.owner(), record.id, UseKind::used, at);
}

}  // namespace oauth::detail::manager

#endif
