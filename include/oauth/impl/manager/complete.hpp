#ifndef OAUTH_IMPL_MANAGER_COMPLETE_HPP
#define OAUTH_IMPL_MANAGER_COMPLETE_HPP

// The callback: the state and the issuer checked, the code exchanged, the identity
// mapped, the connection stored.

namespace oauth::detail::manager {

template <class V>
Result<Integration> BasicEngine<V>::complete_blocking(std::size_t provider, FlowCallback callback) {
  return async::wait<Integration>(executor_, complete(provider, std::move(callback)));
}

template <class V>
boost::asio::awaitable<Result<Integration>> BasicEngine<V>::complete(std::size_t provider, FlowCallback callback) {
  auto const& p = profile(provider);
  AuditEvent event{.provider = std::string(p.name),
                   .action = AuditAction::connect,
                   .success = false,
                   .client_ip = callback.client_ip,
                   .user_agent = callback.user_agent};
  auto connecting = connect(provider, std::move(callback), event);
  auto connected = co_await std::move(connecting);
  if (!connected) {
    event.reason = connected.error().message();
    // Until the state is known nobody is named: the store samples what anyone can send.
    auto auditing = stored([&] { audit(event); });
    co_await std::move(auditing);
  }
  co_return connected;
}

template <class V>
boost::asio::awaitable<Result<Integration>> BasicEngine<V>::connect(std::size_t provider, FlowCallback callback,
                                                                    AuditEvent& event) {
  auto const& p = profile(provider);
  auto config = config_for(provider);
  if (!config) co_return config.error();
  // Taken only by the session that started it, so another session's callback (a forged
  // link, say) cannot use up the user's own.
  auto taking_state = atomically_async(oauth::store::Durability::relaxed,
                                       [&] { return store_->take_state(callback.state, callback.session_id, now()); });
  auto flow = co_await std::move(taking_state);
  if (!flow) {
    if (flow.error() == Errc::state_mismatch)
      co_return Error(Errc::state_mismatch, "the callback does not belong to the session that started it");
    co_return flow.error();
  }
  event.tenant_id = flow->tenant_id;
  event.user_id = flow->user_id;
  event.scopes = flow->scopes;
  if (flow->provider != p.name)
    co_return Error(Errc::state_mismatch, "the callback is for another provider than the one it started at");
  if (p.supports_pkce) {
    // A state kept without its verifier (a store altered outside this library) would
    // send the code without PKCE: the downgrade PKCE exists to prevent.
    if (!flow->code_verifier || flow->code_verifier->empty())
      co_return Error(Errc::pkce_required, "the authorization state has no PKCE verifier");
  }
  // Before anything else of the response is believed, error included: whoever sent it
  // must be the provider this flow went to (RFC 9207, the mix-up defence).
  auto const expected =
      expected_issuer(p, (*config)->issuer, (*config)->authorization_response_iss_parameter_supported);
  auto const iss = callback.iss ? std::optional<std::string_view>(*callback.iss) : std::nullopt;
  if (auto checked = check_issuer(p.name, expected, iss); !checked) co_return checked.error();
  if (!callback.error.empty()) {
    using encoding::printable_line;
    auto const denied = detail::provider_error::code_named(callback.error).value_or(Errc::access_denied);
    auto description = std::string(p.name) + " authorization: " + printable_line(callback.error, 60);
    if (!callback.error_description.empty()) description += ": " + printable_line(callback.error_description);
    co_return Error(denied, std::move(description));
  }
  if (callback.code.empty()) co_return Error(Errc::invalid_argument, "the callback carries no code");

  ClientCredentials const client{(*config)->client_id, (*config)->client_secret};
  auto request = authorization_code_request(p, client, callback.code, flow->redirect_uri,
                                            flow->code_verifier ? &*flow->code_verifier : nullptr);
  // Not retried: a code is single use, so a retry after a lost answer could only fail.
  auto response = co_await send(**config, std::move(request));
  if (!response) co_return response.error();
  auto tokens = parse_token_response(p.name, *response, "code exchange");
  wipe(response->body);
  if (!tokens) co_return tokens.error();

  auto identity = co_await identify(p, **config, *tokens);
  if (!identity) co_return identity.error();

  auto const at = now();
  IntegrationRecord record;
  record.tenant_id = flow->tenant_id;
  record.user_id = flow->user_id;
  record.provider = p.name;
  // One integration per provider account, or per workspace where the provider connects
  // workspaces: one Notion user may connect several.
  record.account_id = identity->workspace ? identity->workspace->id : identity->account_id;
  record.identity = std::move(*identity);
  record.created_at = record.updated_at = at;
  auto issued = issued_tokens(std::move(*tokens), flow->scopes, at);
  ConsentRecord consent{.tenant_id = flow->tenant_id,
                        .user_id = flow->user_id,
                        .provider = std::string(p.name),
                        .scopes = issued.scopes,
                        .granted_at = at,
                        .client_ip = callback.client_ip,
                        .user_agent = callback.user_agent,
                        .consent_version = options_.consent_version};
  if (options_.consent_lifetime) consent.expires_at = at + *options_.consent_lifetime;
  event.scopes = issued.scopes;
  auto saving = atomically_async(oauth::store::Durability::full, [&] {
    auto connected = store_->save_connection(record, issued, consent);
    if (connected) {
      event.integration_id = connected->id;
      event.success = true;
      audit(event);
    }
    return connected;
  });
  auto saved = co_await std::move(saving);
  if (!saved) co_return saved.error();
  co_return Integration::from(*saved);
}

template <class V>
boost::asio::awaitable<Result<UserInfo>> BasicEngine<V>::identify(ProviderProfile const& provider,
                                                                  ProviderConfig const& config,
                                                                  TokenResponse const& tokens) {
  if (provider.userinfo_endpoint) {
    HttpRequest request{HttpMethod::get, std::string(*provider.userinfo_endpoint), {}, {}};
    request.headers.emplace_back("Authorization", "Bearer " + std::string(tokens.access_token.reveal()));
    request.headers.emplace_back("Accept", "application/json");
    for (auto const& header : provider.request_headers) request.headers.emplace_back(header.name, header.value);
    auto response = co_await send_with_retry(provider, config, std::move(request), "userinfo");
    if (!response) co_return response.error();
    if (response->status != 200) co_return oauth::provider_error(provider.name, *response, "userinfo");
    boost::system::error_code ec;
    auto json = boost::json::parse(response->body, ec);
    if (ec || !json.is_object())
      co_return Error(Errc::invalid_user_info, std::string(provider.name) + " userinfo is not a JSON object");
    co_return provider.map_user_info(json.get_object());
  }
  co_return provider.map_user_info(tokens.fields);
}

template <class V>
IssuedTokens BasicEngine<V>::issued_tokens(TokenResponse tokens, std::vector<std::string> const& requested,
                                           TimePoint at) {
  IssuedTokens issued;
  issued.access_token = std::move(tokens.access_token);
  issued.refresh_token = std::move(tokens.refresh_token);
  if (tokens.expires_in) issued.expires_at = at + *tokens.expires_in;
  issued.issued_at = at;
  if (tokens.scopes)
    issued.scopes = std::move(*tokens.scopes);
  else
    issued.scopes = requested;
  return issued;
}

}  // namespace oauth::detail::manager

#endif
