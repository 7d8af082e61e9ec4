#ifndef OAUTH_IMPL_MANAGER_AUTHORIZE_HPP
#define OAUTH_IMPL_MANAGER_AUTHORIZE_HPP

// Starting an authorization: the URL, the state, PKCE; and which scopes are still
// missing.

namespace oauth::detail::manager {

template <class V>
Result<FlowStart> BasicEngine<V>::initiate_flow(std::size_t provider, FlowRequest const& request) {
  auto draft = draft_flow(provider, request);
  if (!draft) return draft.error();
  auto url = atomically(oauth::store::Durability::relaxed,
                        [&, draft = &*draft] { return save_flow(provider, *draft, request); });
  if (!url) return url.error();
  return FlowStart{std::move(*url), std::move(draft->flow.state), draft->flow.expires_at};
}

template <class V>
boost::asio::awaitable<Result<FlowStart>> BasicEngine<V>::initiate_flow_async(std::size_t provider,
                                                                              FlowRequest request) {
  auto draft = draft_flow(provider, request);
  if (!draft) co_return draft.error();
  auto url = co_await atomically_async(oauth::store::Durability::relaxed,
                                       [&, draft = &*draft] { return save_flow(provider, *draft, request); });
  if (!url) co_return url.error();
  co_return FlowStart{std::move(*url), std::move(draft->flow.state), draft->flow.expires_at};
}

template <class V>
Result<FlowDraft> BasicEngine<V>::draft_flow(std::size_t provider, FlowRequest const& request) {
  auto const& p = profile(provider);
  auto config = config_for(provider);
  if (!config) return config.error();
  if (request.tenant_id.empty() || request.user_id.empty() || request.session_id.empty())
    return Error(Errc::invalid_argument, "an authorization needs a tenant, a user and a session");
  auto const& uris = (*config)->redirect_uris;
  if (std::find(uris.begin(), uris.end(), request.redirect_uri) == uris.end())
    return Error(Errc::redirect_uri_not_allowed, std::string(p.name) + ": " + request.redirect_uri);
  std::vector<std::string_view> const requested(request.scopes.begin(), request.scopes.end());
  auto scopes = resolve_scopes(p, requested);
  if (!scopes) return scopes.error();

  auto const created_at = now();
  auto state = oauth::crypto::make_ordered_state(created_at);
  if (!state) return state.error();
  FlowDraft draft;
  draft.config = std::move(*config);
  auto& flow = draft.flow;
  flow.state = std::move(*state);
  flow.provider = p.name;
  flow.tenant_id = request.tenant_id;
  flow.user_id = request.user_id;
  flow.session_id = request.session_id;
  flow.scopes.assign(scopes->begin(), scopes->end());
  flow.redirect_uri = request.redirect_uri;
  flow.created_at = created_at;
  flow.expires_at = flow.created_at + options_.state_lifetime;
  if (p.supports_pkce) {
    auto pkce = oauth::crypto::make_pkce();
    if (!pkce) return pkce.error();
    draft.code_challenge = std::move(pkce->challenge);
    flow.code_verifier = std::move(pkce->verifier);
  }
  return draft;
}

template <class V>
Result<std::string> BasicEngine<V>::save_flow(std::size_t provider, FlowDraft const& draft,
                                              FlowRequest const& request) {
  auto const& p = profile(provider);
  auto const& flow = draft.flow;
  AuthorizationRequest authorization;
  authorization.client_id = draft.config->client_id;
  authorization.redirect_uri = flow.redirect_uri;
  authorization.scopes.assign(flow.scopes.begin(), flow.scopes.end());
  authorization.state = flow.state;
  if (draft.code_challenge) authorization.code_challenge = *draft.code_challenge;
  for (auto const& [name, value] : request.extra_params) authorization.extra_params.push_back(Param{name, value});
  // Whether the user has connected already is read in the state's transaction, on its
  // connection: a SQL store's reading connections would each drop their page cache for
  // the write that came before.
  if (p.incremental_authorization) {
    auto existing = store_->list({request.tenant_id, request.user_id});
    if (!existing) return existing.error();
    bool const integrated = std::any_of(existing->begin(), existing->end(), [&](auto const& r) {
      return r.provider == p.name && r.status == IntegrationStatus::active;
    });
    if (integrated) authorization.extra_params.push_back(*p.incremental_authorization);
  }
  auto url = authorization_url(p, authorization);
  if (!url) return url.error();
  auto rebased = detail::http::rebase_url(*url, draft.config->endpoint_base);
  if (!rebased) return rebased.error();
  if (auto put = store_->put_state(flow); !put) return put.error();
  audit({.tenant_id = flow.tenant_id,
         .user_id = flow.user_id,
         .provider = flow.provider,
         .action = AuditAction::authorization_started});
  return std::move(*rebased);
}

template <class V>
Result<ScopeCoverage> BasicEngine<V>::scope_coverage(std::size_t provider, std::string_view tenant_id,
                                                     std::string_view user_id,
                                                     std::vector<std::string_view> const& wanted) {
  auto const& p = profile(provider);
  std::vector<std::string_view> names;
  std::string unknown;
  for (auto name : wanted) {
    if (auto const* scope = find_scope(p, name))
      names.push_back(scope->name);
    else
      unknown += (unknown.empty() ? "" : ", ") + std::string(name);
  }
  if (!unknown.empty()) return Error(Errc::unknown_scope, "unknown scope for " + std::string(p.name) + ": " + unknown);
  auto integrations = store_->list({tenant_id, user_id});
  if (!integrations) return integrations.error();
  std::vector<std::string_view> granted;
  for (auto const& record : *integrations) {
    if (record.provider != p.name || record.status != IntegrationStatus::active) continue;
    for (auto const& scope : record.scopes) {
      auto const* known = find_scope(p, scope);
      granted.push_back(known != nullptr ? known->name : std::string_view(scope));
    }
  }
  ScopeCoverage coverage;
  for (auto name : names)
    if (std::find(granted.begin(), granted.end(), name) == granted.end()) coverage.missing.emplace_back(name);
  coverage.granted = coverage.missing.empty();
  return coverage;
}

}  // namespace oauth::detail::manager

#endif
