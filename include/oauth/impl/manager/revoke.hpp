#ifndef OAUTH_IMPL_MANAGER_REVOKE_HPP
#define OAUTH_IMPL_MANAGER_REVOKE_HPP

// Disconnecting: revocation at the provider, then the local records.

namespace oauth::detail::manager {

template <class V>
Result<Disconnection> BasicEngine<V>::disconnect_blocking(std::size_t provider, std::string tenant_id,
                                                          std::string user_id, std::string integration_id) {
  return async::wait<Disconnection>(
      executor_, disconnect(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id)));
}

template <class V>
boost::asio::awaitable<Result<Disconnection>> BasicEngine<V>::disconnect(std::size_t provider, std::string tenant_id,
                                                                         std::string user_id,
                                                                         std::string integration_id) {
  auto const& p = profile(provider);
  auto reading = stored([&]() -> Result<Credential> {
    auto record = owned(p.name, store_->find({tenant_id, user_id}, integration_id), tenant_id, user_id, integration_id);
    if (!record) return record.error();
    return store_->credential({tenant_id, user_id}, integration_id, TokenNeed::access_and_refresh);
  });
  auto credential = co_await std::move(reading);
  if (!credential) co_return credential.error();
  Disconnection result;
  if (p.revocation_endpoint) {
    auto config = config_for(provider);
    if (!config) co_return config.error();
    result.revoked_at_provider = true;
    ClientCredentials const client{(*config)->client_id, (*config)->client_secret};
    auto revoke = [&](std::string_view token, TokenTypeHint hint) -> boost::asio::awaitable<std::optional<Error>> {
      auto request = revocation_request(p, client, token, hint);
      auto response = co_await send_with_retry(p, **config, std::move(request), "revoke");
      if (!response) co_return response.error();
      // An invalid token is no error (RFC 7009 section 2.2): it is already revoked.
      if (response->status == 200) co_return std::nullopt;
      auto error = oauth::provider_error(p.name, *response, "revoke");
      if (error == Errc::unauthorized || error == Errc::invalid_grant) co_return std::nullopt;
      co_return error;
    };
    // Revoking the refresh token ends the grant, access tokens included (RFC 7009
    // section 2.1; Google and Notion do so).
    if (credential->refresh_token)
      result.revocation_error = co_await revoke(credential->refresh_token->reveal(), TokenTypeHint::refresh_token);
    else
      result.revocation_error = co_await revoke(credential->access_token.reveal(), TokenTypeHint::access_token);
    if (result.revocation_error) result.revoked_at_provider = false;
  }
  auto disconnecting = atomically_async(oauth::store::Durability::full, [&]() -> Result<IntegrationRecord> {
    if (p.revocation_endpoint)
      audit({.tenant_id = tenant_id,
             .user_id = user_id,
             .provider = std::string(p.name),
             .integration_id = integration_id,
             .action = AuditAction::revoke,
             .success = !result.revocation_error,
             .reason = result.revocation_error ? result.revocation_error->message() : std::string{}});
    auto done = store_->disconnect({tenant_id, user_id}, integration_id, now());
    if (done)
      audit({.tenant_id = tenant_id,
             .user_id = user_id,
             .provider = std::string(p.name),
             .integration_id = integration_id,
             .action = AuditAction::disconnect});
    return done;
  });
  auto disconnected = co_await std::move(disconnecting);
  if (!disconnected) co_return disconnected.error();
  result.integration = Integration::from(*disconnected);
  co_return result;
}

}  // namespace oauth::detail::manager

#endif
