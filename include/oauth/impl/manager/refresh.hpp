#ifndef OAUTH_IMPL_MANAGER_REFRESH_HPP
#define OAUTH_IMPL_MANAGER_REFRESH_HPP

// Refreshing, once at a time across callers and processes, and what a refused token
// leads to.

namespace oauth::detail::manager {

template <class V>
boost::asio::awaitable<Result<AccessGrant>> BasicEngine<V>::shared_refresh(std::size_t provider, AccessRecord record) {
  std::string const id = record.id;
  auto lead = [this, provider, r = std::move(record)]() mutable { return refresh_once(provider, std::move(r)); };
  co_return co_await refreshes_.run(id, std::move(lead));
}

template <class V>
template <class Record>
Error BasicEngine<V>::mark_needs_reauth(std::string_view provider, Record const& record, Error reason) {
  (void)store_->set_status(record.owner(), record.id, IntegrationStatus::needs_reauth);
  audit({.tenant_id = record.tenant_id,
         .user_id = record.user_id,
         .provider = record.provider,
         .integration_id = record.id,
         .action = AuditAction::needs_reauth,
         .success = false,
         .reason = reason.message()});
  if (options_.on_reauth_needed)
    options_.on_reauth_needed(ReauthNeeded{record.tenant_id, record.user_id, record.provider, record.id, reason});
  Error error(Errc::needs_reauth, std::string(provider) + " integration must be authorized again: " + reason.message());
  error.provider = provider;
  return error;
}

template <class V>
boost::asio::awaitable<Result<AccessGrant>> BasicEngine<V>::refresh_once(std::size_t provider, AccessRecord record) {
  Owner const owner{record.tenant_id, record.user_id};
  auto const lease_deadline = now() + options_.refresh_lease;
  std::optional<Credential> latest;
  while (true) {
    auto leasing = lease_latest(record);
    auto leased = co_await std::move(leasing);
    if (!leased) co_return leased.error();
    if (*leased) {
      latest = std::move(**leased);
      break;
    }
    if (now() > lease_deadline) co_return Error(Errc::timeout, "another process holds the refresh too long");
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(50));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  bool lease_released = false;
  auto result = co_await refresh_leased(provider, record, std::move(*latest), lease_released);
  if (!lease_released) {
    auto releasing = stored([&] { return store_->release_refresh_lease(owner, record.id, holder_); });
    (void)co_await std::move(releasing);
  }
  co_return result;
}

template <class V>
boost::asio::awaitable<Result<std::optional<Credential>>> BasicEngine<V>::lease_latest(AccessRecord const& record) {
  Owner const owner{record.tenant_id, record.user_id};
  return atomically_async(
      oauth::store::Durability::full, [this, owner, &record]() -> Result<std::optional<Credential>> {
        auto const at = now();
        auto leased = store_->try_acquire_refresh_lease(owner, record.id, holder_, at, at + options_.refresh_lease);
        if (!leased) return leased.error();
        if (!*leased) return std::optional<Credential>();
        // Another process may have refreshed while this one waited for the lease.
        auto latest = store_->credential(owner, record.id, TokenNeed::access_and_refresh);
        if (!latest) {
          (void)store_->release_refresh_lease(owner, record.id, holder_);
          return latest.error();
        }
        return std::optional<Credential>(std::move(*latest));
      });
}

template <class V>
boost::asio::awaitable<Result<AccessGrant>> BasicEngine<V>::refresh_leased(std::size_t provider,
                                                                           AccessRecord const& record,
                                                                           Credential latest, bool& lease_released) {
  auto const& p = profile(provider);
  if (latest.record.version != record.version && !due_for_refresh(latest.record, now())) co_return grant(latest, true);
  if (latest.record.status == IntegrationStatus::needs_reauth)
    co_return Error(Errc::needs_reauth, std::string(p.name) + " integration must be authorized again");
  auto credential = std::move(latest);

  AuditEvent event{.tenant_id = credential.record.tenant_id,
                   .user_id = credential.record.user_id,
                   .provider = std::string(p.name),
                   .integration_id = credential.record.id,
                   .action = AuditAction::refresh,
                   .success = false,
                   .scopes = credential.record.scopes};
  if (!credential.refresh_token) {
    if (credential.record.expires_at && *credential.record.expires_at > now()) co_return grant(credential, false);
    auto marking = stored([&] {
      return mark_needs_reauth(p.name, credential.record,
                               Error(Errc::no_refresh_token, "the provider issued no refresh token"));
    });
    co_return co_await std::move(marking);
  }
  auto config = config_for(provider);
  if (!config) co_return config.error();
  ClientCredentials const client{(*config)->client_id, (*config)->client_secret};
  auto request = refresh_request(p, client, *credential.refresh_token);
  auto response = co_await send_with_retry(p, **config, std::move(request), "refresh");
  if (!response) {
    event.reason = response.error().message();
    auto auditing = stored([&] { audit(event); });
    co_await std::move(auditing);
    co_return response.error();
  }
  auto tokens = parse_token_response(p.name, *response, "refresh");
  wipe(response->body);
  if (!tokens) {
    if (tokens.error() == Errc::invalid_grant) {
      auto marking = stored([&] { return mark_needs_reauth(p.name, credential.record, tokens.error()); });
      co_return co_await std::move(marking);
    }
    event.reason = tokens.error().message();
    auto auditing = stored([&] { audit(event); });
    co_await std::move(auditing);
    co_return tokens.error();
  }
  // The new tokens, a rotated refresh token with them, are stored before either is used.
  auto issued = issued_tokens(std::move(*tokens), credential.record.scopes, now());
  // The lease goes with the tokens it guarded: a process waiting for it reads them.
  bool released_with_tokens = false;
  auto replacing = atomically_async(oauth::store::Durability::full, [&] {
    auto result = store_->replace_tokens(credential, issued);
    if (result) {
      event.success = true;
      event.scopes = result->record.scopes;
    } else {
      event.reason = result.error().message();
    }
    audit(event);
    if (result) note_use(result->record, now());
    released_with_tokens =
        store_->release_refresh_lease(credential.record.owner(), credential.record.id, holder_).has_value();
    return result;
  });
  auto replaced = co_await std::move(replacing);
  if (!replaced) co_return replaced.error();
  lease_released = released_with_tokens;
  co_return grant(*replaced, true);
}

template <class V>
boost::asio::awaitable<Result<AccessGrant>> BasicEngine<V>::renew_rejected(std::size_t provider, std::string tenant_id,
                                                                           std::string user_id,
                                                                           std::string integration_id,
                                                                           AccessToken rejected, Error reason) {
  auto const& p = profile(provider);
  auto reading_record = stored([&] {
    return owned(p.name, store_->find_access({tenant_id, user_id}, integration_id), tenant_id, user_id, integration_id);
  });
  auto record = co_await std::move(reading_record);
  if (!record) co_return record.error();
  if (record->status == IntegrationStatus::needs_reauth)
    co_return Error(Errc::needs_reauth, std::string(p.name) + " integration must be authorized again");
  auto reading_token = stored([&] { return store_->access_token(*record); });
  auto current = co_await std::move(reading_token);
  if (!current) co_return current.error();
  if (!oauth::crypto::constant_time_equal(current->reveal(), rejected.reveal()))
    co_return grant(std::move(*record), std::move(*current));
  if (!p.supports_refresh) {
    auto marking = stored([&] { return mark_needs_reauth(p.name, *record, reason); });
    co_return co_await std::move(marking);
  }
  auto renewed = co_await shared_refresh(provider, std::move(*record));
  if (renewed && oauth::crypto::constant_time_equal(renewed->access_token.reveal(), rejected.reveal())) {
    auto rejecting = stored([&] { return reject_token(p.name, tenant_id, user_id, integration_id, reason); });
    co_return co_await std::move(rejecting);
  }
  co_return renewed;
}

template <class V>
Error BasicEngine<V>::reject_token(std::string_view provider, std::string_view tenant_id, std::string_view user_id,
                                   std::string_view integration_id, Error reason) {
  auto record = store_->find_access({tenant_id, user_id}, integration_id);
  if (!record) return record.error();
  return mark_needs_reauth(provider, *record, std::move(reason));
}

}  // namespace oauth::detail::manager

#endif
