#ifndef OAUTH_MANAGER_HPP
#define OAUTH_MANAGER_HPP

#include <oauth/api/client.hpp>
#include <oauth/api/request.hpp>
#include <oauth/protocol/authorization_response.hpp>
#include <oauth/protocol/authorization_url.hpp>
#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/pkce.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/crypto/state.hpp>
#include <oauth/detail/async/backoff.hpp>
#include <oauth/detail/async/rate_gate.hpp>
#include <oauth/detail/async/single_flight.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/detail/http/url.hpp>
#include <oauth/detail/manager/store_port.hpp>
#include <oauth/detail/meta/type_list.hpp>
#include <oauth/protocol/endpoint_request.hpp>
#include <oauth/manager/flow.hpp>
#include <oauth/http/https_transport.hpp>
#include <oauth/manager/integration.hpp>
#include <oauth/manager/options.hpp>
#include <oauth/provider.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/store/record_json.hpp>
#include <oauth/store/scope_records.hpp>
#include <oauth/scope_catalogue.hpp>
#include <oauth/protocol/token_response.hpp>
#include <oauth/store/token_store.hpp>
#include <oauth/http/transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

/// The whole OAuth life of a set of providers, composed at compile time: authorization
/// with state and PKCE, the callback, tokens at rest, fresh access tokens on demand (one
/// refresh at a time, across processes too), and disconnection. What a provider cannot
/// do does not exist for it: no refresh path for a provider without refresh, no revocation
/// call for one without a revocation endpoint.
///
/// Each network operation comes as `async_x(..., token)` completing with `void(Result<T>)`
/// (use_awaitable, use_future, a callback) and as a blocking `x(...)` for callers on
/// another thread than the one running the executor.
template <Provider... Ps>
class Manager {
  static_assert(sizeof...(Ps) > 0, "oauth Manager: list at least one provider");
  static_assert(detail::meta::unique<Ps...>, "oauth Manager: a provider is listed twice");

public:
  static constexpr std::array<std::string_view, sizeof...(Ps)> provider_names{Ps::name...};

  /// With the library's HTTPS transport on `executor`.
  template <StoreBackend Backend>
  Manager(boost::asio::any_io_executor executor, TokenStore<Backend>& store, ManagerOptions options = {})
      : Manager(executor, store, HttpsTransport(executor), std::move(options)) {}

  template <StoreBackend Backend, Transport T>
  Manager(boost::asio::any_io_executor executor, TokenStore<Backend>& store, T transport, ManagerOptions options = {})
      : executor_(std::move(executor)),
        store_(std::make_shared<detail::manager::StoreAdapter<Backend>>(store)),
        send_([t = std::make_shared<T>(std::move(transport))](HttpRequest request) {
          return t->async_send(std::move(request), boost::asio::use_awaitable);
        }),
        options_(std::move(options)),
        holder_(crypto::random_token(12).value()) {
    // Names route callbacks and stored integrations: Microsoft<"common"> and
    // Microsoft<"contoso"> in one manager would share them.
    static_assert(std::ranges::all_of(provider_names, [](auto n) {
                    return std::ranges::count(provider_names, n) == 1;
                  }), "oauth Manager: two providers share a name");
  }

  boost::asio::any_io_executor get_executor() const noexcept { return executor_; }
  ManagerOptions const& options() const noexcept { return options_; }

  /// Sets a provider's client registration. Checked here, so a bad one fails at start-up.
  template <class P>
  Result<void> configure(ProviderConfig config) {
    check_listed<P>();
    if (config.client_id.empty()) return Error(Errc::invalid_argument, std::string(P::name) + ": client id is empty");
    if (config.redirect_uris.empty())
      return Error(Errc::invalid_argument, std::string(P::name) + ": at least one redirect URI is required");
    for (auto const& uri : config.redirect_uris)
      if (auto problem = detail::http::redirect_uri_problem(uri))
        return Error(Errc::invalid_argument, std::string(P::name) + ": a redirect URI " + std::string(*problem));
    if (!config.endpoint_base.empty() && !detail::http::parse_endpoint(config.endpoint_base))
      return Error(Errc::invalid_argument, std::string(P::name) + ": endpoint base is not an absolute URL");
    if (auto saved = store_->save_scope_catalogue(P::name, scope_records<P>()); !saved) return saved;
    std::lock_guard lock(config_mutex_);
    configs_[index<P>()] = std::make_shared<ProviderConfig const>(std::move(config));
    return {};
  }

  /// Calls `f(std::type_identity<P>{})` for the listed provider called `name`; false when
  /// none is. How a provider named in a URL or a command line reaches the typed API.
  template <class F>
  bool visit_provider(std::string_view name, F&& f) const {
    bool found = false;
    boost::hana::for_each(boost::hana::tuple_t<Ps...>, [&](auto type) {
      using P = typename decltype(type)::type;
      if (!found && P::name == name) {
        found = true;
        f(std::type_identity<P>{});
      }
    });
    return found;
  }

  // GCC 12 destroys a temporary argument in a co_await expression twice, so every such
  // argument below is a named local first.

  // ---- authorization ----------------------------------------------------------------

  /// The URL to send the user to, and the single-use state kept until the callback.
  /// Asking an integrated user for more scopes asks incrementally where the provider can.
  template <class P>
  Result<FlowStart> initiate_flow(FlowRequest const& request) {
    check_listed<P>();
    auto config = config_for<P>();
    if (!config) return config.error();
    if (request.tenant_id.empty() || request.user_id.empty() || request.session_id.empty())
      return Error(Errc::invalid_argument, "an authorization needs a tenant, a user and a session");
    auto const& uris = (*config)->redirect_uris;
    if (std::find(uris.begin(), uris.end(), request.redirect_uri) == uris.end())
      return Error(Errc::redirect_uri_not_allowed, std::string(P::name) + ": " + request.redirect_uri);
    auto scopes = resolve_scopes<P>(request.scopes);
    if (!scopes) return scopes.error();

    auto state = crypto::make_state();
    if (!state) return state.error();
    FlowState flow;
    flow.state = *state;
    flow.provider = P::name;
    flow.tenant_id = request.tenant_id;
    flow.user_id = request.user_id;
    flow.session_id = request.session_id;
    flow.scopes.assign(scopes->begin(), scopes->end());
    flow.redirect_uri = request.redirect_uri;
    flow.created_at = now();
    flow.expires_at = flow.created_at + options_.state_lifetime;

    AuthorizationRequest authorization;
    authorization.client_id = (*config)->client_id;
    authorization.redirect_uri = request.redirect_uri;
    authorization.scopes.assign(scopes->begin(), scopes->end());
    authorization.state = flow.state;
    std::optional<crypto::Pkce> pkce;
    if constexpr (P::supports_pkce) {
      auto made = crypto::make_pkce();
      if (!made) return made.error();
      pkce = std::move(*made);
      authorization.code_challenge = pkce->challenge;
      flow.code_verifier = pkce->verifier;
    }
    for (auto const& [name, value] : request.extra_params) authorization.extra_params.push_back(Param{name, value});
    if constexpr (requires { P::incremental_authorization; }) {
      auto existing = store_->list({request.tenant_id, request.user_id});
      if (!existing) return existing.error();
      bool const integrated = std::any_of(existing->begin(), existing->end(), [](auto const& r) {
        return r.provider == P::name && r.status == IntegrationStatus::active;
      });
      if (integrated) authorization.extra_params.push_back(P::incremental_authorization);
    }
    auto url = authorization_url<P>(authorization);
    if (!url) return url.error();
    auto rebased = detail::http::rebase_url(*url, (*config)->endpoint_base);
    if (!rebased) return rebased.error();

    if (auto saved = store_->put_state(flow); !saved) return saved.error();
    audit({.tenant_id = flow.tenant_id, .user_id = flow.user_id, .provider = flow.provider,
           .action = AuditAction::authorization_started});
    return FlowStart{std::move(*rebased), std::move(flow.state), flow.expires_at};
  }

  /// Whether the user's active integrations with P grant every scope in `wanted`, and if
  /// not, which are missing: ask for just those next.
  template <class P>
  Result<ScopeCoverage> scope_coverage(std::string_view tenant_id, std::string_view user_id,
                                       std::vector<std::string_view> const& wanted) {
    check_listed<P>();
    std::vector<std::string_view> names;
    std::string unknown;
    for (auto name : wanted) {
      if (auto const* scope = find_scope<P>(name)) names.push_back(scope->name);
      else unknown += (unknown.empty() ? "" : ", ") + std::string(name);
    }
    if (!unknown.empty()) return Error(Errc::unknown_scope, "unknown scope for " + std::string(P::name) + ": " + unknown);
    auto integrations = store_->list({tenant_id, user_id});
    if (!integrations) return integrations.error();
    std::vector<std::string_view> granted;
    for (auto const& record : *integrations) {
      if (record.provider != P::name || record.status != IntegrationStatus::active) continue;
      for (auto const& scope : record.scopes) {
        auto const* known = find_scope<P>(scope);
        granted.push_back(known != nullptr ? known->name : std::string_view(scope));
      }
    }
    ScopeCoverage coverage;
    for (auto name : names)
      if (std::find(granted.begin(), granted.end(), name) == granted.end()) coverage.missing.emplace_back(name);
    coverage.granted = coverage.missing.empty();
    return coverage;
  }

  /// The callback: the state checked (exists, unexpired, unused, this session, this
  /// provider), the code exchanged, the identity mapped, the tokens stored encrypted, the
  /// consent recorded and the outcome audited.
  template <class P, class CompletionToken>
  auto async_complete_flow(FlowCallback callback, CompletionToken&& token) {
    check_listed<P>();
    return detail::async::spawn<Integration>(executor_, complete<P>(std::move(callback)),
                                             std::forward<CompletionToken>(token));
  }

  template <class P>
  Result<Integration> complete_flow(FlowCallback callback) {
    check_listed<P>();
    return detail::async::wait<Integration>(executor_, complete<P>(std::move(callback)));
  }

  // ---- tokens -----------------------------------------------------------------------

  /// A valid access token for the owning user and tenant only; anyone else is told the
  /// integration does not exist, and the attempt is audited. Refreshed first when it
  /// would expire within the leeway.
  template <class P, class CompletionToken>
  auto async_get_access_token(std::string tenant_id, std::string user_id, std::string integration_id,
                              CompletionToken&& token) {
    check_listed<P>();
    return detail::async::spawn<AccessGrant>(
        executor_, access<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id), false),
        std::forward<CompletionToken>(token));
  }

  template <class P>
  Result<AccessGrant> get_access_token(std::string_view tenant_id, std::string_view user_id,
                                       std::string_view integration_id) {
    check_listed<P>();
    return access_blocking<P>(tenant_id, user_id, integration_id, false);
  }

  /// Refreshes now, whatever the token's expiry. Only for providers that refresh.
  template <class P, class CompletionToken>
    requires Refreshable<P>
  auto async_refresh(std::string tenant_id, std::string user_id, std::string integration_id, CompletionToken&& token) {
    check_listed<P>();
    return detail::async::spawn<AccessGrant>(
        executor_, access<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id), true),
        std::forward<CompletionToken>(token));
  }

  template <class P>
    requires Refreshable<P>
  Result<AccessGrant> refresh(std::string_view tenant_id, std::string_view user_id, std::string_view integration_id) {
    check_listed<P>();
    return access_blocking<P>(tenant_id, user_id, integration_id, true);
  }

  /// Revokes at the provider where it can, then deletes the tokens and consents and marks
  /// the integration disconnected. A provider that refuses or cannot be reached does not
  /// stop the local disconnect; the result says so.
  template <class P, class CompletionToken>
  auto async_disconnect(std::string tenant_id, std::string user_id, std::string integration_id,
                        CompletionToken&& token) {
    check_listed<P>();
    return detail::async::spawn<Disconnection>(
        executor_, disconnect_impl<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id)),
        std::forward<CompletionToken>(token));
  }

  template <class P>
  Result<Disconnection> disconnect(std::string tenant_id, std::string user_id, std::string integration_id) {
    check_listed<P>();
    return detail::async::wait<Disconnection>(
        executor_, disconnect_impl<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id)));
  }

  /// Asks the provider whether an integration still works, with a read call made with its
  /// token through the authorized client: the userinfo endpoint, or the provider's own
  /// validation endpoint (Notion's bot user). A token due for refresh is refreshed first,
  /// and one the provider refuses is refreshed once. An accepted token records when it was
  /// validated; a refused one marks the integration as needing reauthorization (a
  /// Validation that says why, not an error). A provider that cannot be reached is an
  /// error, and changes nothing.
  template <class P, class CompletionToken>
    requires Validatable<P>
  auto async_validate(std::string tenant_id, std::string user_id, std::string integration_id,
                      CompletionToken&& token) {
    check_listed<P>();
    return detail::async::spawn<Validation>(
        executor_, validate_impl<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id)),
        std::forward<CompletionToken>(token));
  }

  template <class P>
    requires Validatable<P>
  Result<Validation> validate(std::string tenant_id, std::string user_id, std::string integration_id) {
    check_listed<P>();
    return detail::async::wait<Validation>(
        executor_, validate_impl<P>(std::move(tenant_id), std::move(user_id), std::move(integration_id)));
  }

  /// Calls P's API as one of the user's integrations (see AuthorizedClient). The manager
  /// must outlive the client's calls.
  template <class P>
  AuthorizedClient<Manager, P> client(std::string tenant_id, std::string user_id, std::string integration_id) {
    check_listed<P>();
    return {*this, std::move(tenant_id), std::move(user_id), std::move(integration_id)};
  }

  /// What an integration last listed of one kind at its provider (CachedResource), for
  /// its owner only.
  Result<std::vector<CachedResource>> cached_resources(std::string_view tenant_id, std::string_view user_id,
                                                       std::string_view integration_id, std::string_view kind) {
    return store_->resources({tenant_id, user_id}, integration_id, kind);
  }

  /// Replaces an integration's cached objects of one kind, all at once.
  Result<void> replace_cached_resources(std::string_view tenant_id, std::string_view user_id,
                                        std::string_view integration_id, std::string_view kind,
                                        std::vector<CachedResource> resources) {
    return store_->replace_resources({tenant_id, user_id}, integration_id, kind, std::move(resources));
  }

  /// The user's integrations with every provider, disconnected ones included.
  Result<std::vector<Integration>> integrations(std::string_view tenant_id, std::string_view user_id) {
    auto records = store_->list({tenant_id, user_id});
    if (!records) return records.error();
    std::vector<Integration> out;
    for (auto const& record : *records) out.push_back(Integration::from(record));
    return out;
  }

  /// One of the user's integrations; another user's is integration_not_found, audited.
  Result<Integration> integration(std::string_view tenant_id, std::string_view user_id, std::string_view id) {
    auto record = store_->find({tenant_id, user_id}, id);
    if (!record) return record.error();
    return Integration::from(*record);
  }

  Result<std::vector<ConsentRecord>> consents(std::string_view tenant_id, std::string_view user_id) {
    return store_->consents({tenant_id, user_id});
  }

  Result<std::vector<AuditEvent>> audit_log(std::string_view tenant_id, std::string_view user_id) {
    return store_->audit_log({tenant_id, user_id});
  }

  /// A page of the user's audit log, newest first (TokenStore::audit_page).
  Result<AuditPage> audit_page(std::string_view tenant_id, std::string_view user_id, AuditQuery query) {
    return store_->audit_page({tenant_id, user_id}, query);
  }

  /// Everything held for one user, as JSON: integrations, consents and audit log. No
  /// token, ciphertext or secret.
  Result<boost::json::object> export_user_data(std::string_view tenant_id, std::string_view user_id) {
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

  /// Erases a user: every live integration is revoked at its provider where it can be,
  /// then every record held for the user is deleted, and one audit entry says so.
  /// Revocations that fail do not stop the erasure; the result lists them.
  template <class CompletionToken>
  auto async_erase_user(std::string tenant_id, std::string user_id, CompletionToken&& token) {
    return detail::async::spawn<Erasure>(executor_, erase_impl(std::move(tenant_id), std::move(user_id)),
                                         std::forward<CompletionToken>(token));
  }

  Result<Erasure> erase_user(std::string tenant_id, std::string user_id) {
    return detail::async::wait<Erasure>(executor_, erase_impl(std::move(tenant_id), std::move(user_id)));
  }

private:
  template <class M, Provider Q>
  friend class AuthorizedClient;

  boost::asio::awaitable<Result<Erasure>> erase_impl(std::string tenant_id, std::string user_id) {
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
      if (!disconnected) erasure.revocation_failures.emplace_back(record.id, disconnected.error());
      else if (disconnected->revocation_error)
        erasure.revocation_failures.emplace_back(record.id, *disconnected->revocation_error);
      else if (disconnected->revoked_at_provider)
        ++erasure.revoked_at_provider;
    }
    if (auto erased = store_->erase_user({tenant_id, user_id}); !erased) co_return erased.error();
    co_return erasure;
  }

  template <class P>
  static constexpr std::size_t index() noexcept {
    return detail::meta::index_of<P, Ps...>();
  }

  template <class P>
  static constexpr void check_listed() noexcept {
    static_assert(detail::meta::contains<P, Ps...>, "oauth Manager: this provider is not in the Manager's provider list");
  }

  TimePoint now() const { return options_.clock(); }

  template <class P>
  Result<std::shared_ptr<ProviderConfig const>> config_for() const {
    std::lock_guard lock(config_mutex_);
    auto config = configs_[index<P>() < sizeof...(Ps) ? index<P>() : 0];
    if (!config) return Error(Errc::provider_not_configured, std::string(P::name));
    return config;
  }

  void audit(AuditEvent event) {
    event.at = now();
    (void)store_->audit(std::move(event));
  }

  template <class P>
  boost::asio::awaitable<Result<HttpResponse>> send(ProviderConfig const& config, HttpRequest request) {
    auto url = detail::http::rebase_url(request.url, config.endpoint_base);
    if (!url) co_return url.error();
    request.url = std::move(*url);
    co_return co_await send_(std::move(request));
  }

  /// Sends, retrying passing failures with bounded backoff that honours Retry-After.
  template <class P>
  boost::asio::awaitable<Result<HttpResponse>> send_with_retry(ProviderConfig const& config, HttpRequest request,
                                                               std::string_view during) {
    auto const& policy = options_.retry;
    for (int attempt = 1;; ++attempt) {
      auto response = co_await send<P>(config, request);
      std::optional<Error> failure;
      if (!response) failure = response.error();
      else if (response->status == 429 || response->status == 529 || response->status >= 500)
        failure = provider_error<P>(*response, during);
      if (!failure || !is_transient(*failure) || attempt >= policy.max_attempts) co_return response;
      auto delay = backoff(attempt);
      if (failure->retry_after) {
        if (*failure->retry_after > policy.max_backoff) co_return response;
        delay = std::chrono::duration_cast<std::chrono::milliseconds>(*failure->retry_after);
      }
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
  }

  std::chrono::milliseconds backoff(int attempt) const {
    return detail::async::jittered_backoff(attempt, options_.retry.initial_backoff, options_.retry.max_backoff);
  }

  template <class P>
  boost::asio::awaitable<Result<Integration>> complete(FlowCallback callback) {
    AuditEvent event{.provider = std::string(P::name), .action = AuditAction::connect, .success = false,
                     .client_ip = callback.client_ip, .user_agent = callback.user_agent};
    auto fail = [&](Error error) {
      event.reason = error.message();
      // Until the state is known nobody is named: the store samples what anyone can send.
      audit(event);
      return error;
    };
    auto config = config_for<P>();
    if (!config) co_return fail(config.error());
    // Taken only by the session that started it, so another session's callback (a forged
    // link, say) cannot use up the user's own.
    auto flow = store_->take_state(callback.state, callback.session_id, now());
    if (!flow) {
      if (flow.error() == Errc::state_mismatch)
        co_return fail(Error(Errc::state_mismatch, "the callback does not belong to the session that started it"));
      co_return fail(flow.error());
    }
    event.tenant_id = flow->tenant_id;
    event.user_id = flow->user_id;
    event.scopes = flow->scopes;
    if (flow->provider != P::name)
      co_return fail(Error(Errc::state_mismatch, "the callback is for another provider than the one it started at"));
    if constexpr (P::supports_pkce) {
      // A state kept without its verifier (a store altered outside this library) would
      // send the code without PKCE: the downgrade PKCE exists to prevent.
      if (!flow->code_verifier || flow->code_verifier->empty())
        co_return fail(Error(Errc::pkce_required, "the authorization state has no PKCE verifier"));
    }
    // Before anything else of the response is believed, error included: whoever sent it
    // must be the provider this flow went to (RFC 9207, the mix-up defence).
    auto const expected =
        expected_issuer<P>((*config)->issuer, (*config)->authorization_response_iss_parameter_supported);
    auto const iss = callback.iss ? std::optional<std::string_view>(*callback.iss) : std::nullopt;
    if (auto checked = check_issuer(P::name, expected, iss); !checked) co_return fail(checked.error());
    if (!callback.error.empty()) {
      using detail::encoding::printable_line;
      auto const denied = detail::provider_error::code_named(callback.error).value_or(Errc::access_denied);
      auto description = std::string(P::name) + " authorization: " + printable_line(callback.error, 60);
      if (!callback.error_description.empty()) description += ": " + printable_line(callback.error_description);
      co_return fail(Error(denied, std::move(description)));
    }
    if (callback.code.empty()) co_return fail(Error(Errc::invalid_argument, "the callback carries no code"));

    ClientCredentials const client{(*config)->client_id, (*config)->client_secret};
    auto request = authorization_code_request<P>(client, callback.code, flow->redirect_uri,
                                                 flow->code_verifier ? &*flow->code_verifier : nullptr);
    // Not retried: a code is single use, so a retry after a lost answer could only fail.
    auto response = co_await send<P>(**config, std::move(request));
    if (!response) co_return fail(response.error());
    auto tokens = parse_token_response<P>(*response, "code exchange");
    wipe(response->body);
    if (!tokens) co_return fail(tokens.error());

    auto identity = co_await identify<P>(**config, *tokens);
    if (!identity) co_return fail(identity.error());

    auto const at = now();
    IntegrationRecord record;
    record.tenant_id = flow->tenant_id;
    record.user_id = flow->user_id;
    record.provider = P::name;
    // One integration per provider account, or per workspace where the provider connects
    // workspaces: one Notion user may connect several.
    record.account_id = identity->workspace ? identity->workspace->id : identity->account_id;
    record.identity = std::move(*identity);
    record.created_at = record.updated_at = at;
    auto issued = issued_tokens(std::move(*tokens), flow->scopes, at);
    ConsentRecord consent{.tenant_id = flow->tenant_id, .user_id = flow->user_id, .provider = std::string(P::name),
                          .scopes = issued.scopes, .granted_at = at, .client_ip = callback.client_ip,
                          .user_agent = callback.user_agent, .consent_version = options_.consent_version};
    if (options_.consent_lifetime) consent.expires_at = at + *options_.consent_lifetime;
    event.scopes = issued.scopes;
    auto saved = store_->save_connection(std::move(record), issued, std::move(consent));
    if (!saved) co_return fail(saved.error());
    event.integration_id = saved->id;
    event.success = true;
    audit(event);
    co_return Integration::from(*saved);
  }

  template <class P>
  boost::asio::awaitable<Result<UserInfo>> identify(ProviderConfig const& config, TokenResponse const& tokens) {
    if constexpr (HasUserInfoEndpoint<P>) {
      HttpRequest request{HttpMethod::get, std::string(P::userinfo_endpoint), {}, {}};
      request.headers.emplace_back("Authorization", "Bearer " + std::string(tokens.access_token.reveal()));
      request.headers.emplace_back("Accept", "application/json");
      for (auto const& header : request_headers<P>()) request.headers.emplace_back(header.name, header.value);
      auto response = co_await send_with_retry<P>(config, std::move(request), "userinfo");
      if (!response) co_return response.error();
      if (response->status != 200) co_return provider_error<P>(*response, "userinfo");
      boost::system::error_code ec;
      auto json = boost::json::parse(response->body, ec);
      if (ec || !json.is_object())
        co_return Error(Errc::invalid_user_info, std::string(P::name) + " userinfo is not a JSON object");
      co_return P::map_user_info(json.get_object());
    } else {
      co_return P::map_user_info(tokens.fields);
    }
  }

  static IssuedTokens issued_tokens(TokenResponse tokens, std::vector<std::string> const& requested, TimePoint at) {
    IssuedTokens issued;
    issued.access_token = std::move(tokens.access_token);
    issued.refresh_token = std::move(tokens.refresh_token);
    if (tokens.expires_in) issued.expires_at = at + *tokens.expires_in;
    issued.issued_at = at;
    issued.scopes = tokens.scopes ? std::move(*tokens.scopes) : requested;
    return issued;
  }

  static void wipe(std::string& s) noexcept { OPENSSL_cleanse(s.data(), s.size()); }

  /// Refresh when the token expires within the leeway, capped at half its lifetime.
  template <class Record>
  bool due_for_refresh(Record const& record, TimePoint at) const {
    if (!record.expires_at) return false;
    auto const lifetime = *record.expires_at - record.token_issued_at;
    auto const leeway = std::min<Clock::duration>(options_.refresh_leeway, lifetime / 2);
    return at >= *record.expires_at - leeway;
  }

  static AccessGrant grant(Credential const& credential, bool refreshed) {
    return {credential.access_token, credential.record.expires_at, credential.record.scopes, credential.record.id,
            refreshed};
  }

  static AccessGrant grant(AccessRecord&& record, AccessToken token) {
    return {std::move(token), record.expires_at, std::move(record.scopes), std::move(record.id), false};
  }

  /// The integration (whole, or what a token needs), if it is this user's in this tenant
  /// and P's. The store refuses and audits another owner's; this refuses the owner's own
  /// under the wrong provider, or disconnected, and audits that.
  template <class P, class Record>
  Result<Record> owned(Result<Record> record, std::string_view tenant_id, std::string_view user_id,
                       std::string_view integration_id) {
    if (!record || (record->provider == P::name && record->status != IntegrationStatus::disconnected)) return record;
    Error refused(Errc::integration_not_found, std::string(P::name) + " has no such integration");
    audit({.tenant_id = std::string(tenant_id), .user_id = std::string(user_id), .provider = std::string(P::name),
           .integration_id = std::string(integration_id), .action = AuditAction::access_denied, .success = false,
           .reason = refused.message()});
    return refused;
  }

  /// What a token request needs: an answer found without the network (a fresh token, an
  /// error), or a refresh of `refresh_from`. Expiry is decided on the record, so callers
  /// that go on to wait for a refresh have decrypted nothing.
  struct AccessPlan {
    std::optional<Result<AccessGrant>> answer;
    AccessRecord refresh_from;
  };

  template <class P>
  AccessPlan plan_access(std::string_view tenant_id, std::string_view user_id, std::string_view integration_id,
                         bool force) {
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

  template <class P>
  boost::asio::awaitable<Result<AccessGrant>> access(std::string tenant_id, std::string user_id,
                                                     std::string integration_id, bool force) {
    auto plan = plan_access<P>(tenant_id, user_id, integration_id, force);
    if (plan.answer) co_return std::move(*plan.answer);
    if constexpr (Refreshable<P>) co_return co_await shared_refresh<P>(std::move(plan.refresh_from));
    else co_return Error(Errc::invalid_argument, "no refresh for a provider that cannot refresh");
  }

  /// The blocking form: only a refresh goes through the executor; a fresh token is read on
  /// the calling thread.
  template <class P>
  Result<AccessGrant> access_blocking(std::string_view tenant_id, std::string_view user_id,
                                     std::string_view integration_id, bool force) {
    auto plan = plan_access<P>(tenant_id, user_id, integration_id, force);
    if (plan.answer) return std::move(*plan.answer);
    if constexpr (Refreshable<P>)
      return detail::async::wait<AccessGrant>(executor_, shared_refresh<P>(std::move(plan.refresh_from)));
    else
      return Error(Errc::invalid_argument, "no refresh for a provider that cannot refresh");
  }

  /// One refresh for every caller that asks while it runs.
  template <class P>
    requires Refreshable<P>
  boost::asio::awaitable<Result<AccessGrant>> shared_refresh(AccessRecord record) {
    std::string const id = record.id;
    auto lead = [this, r = std::move(record)]() mutable { return refresh_once<P>(std::move(r)); };
    co_return co_await refreshes_.run(id, std::move(lead));
  }

  /// Records when a token was last handed out, to the manager's resolution: one write per
  /// integration per resolution at most, not one per call.
  template <class Record>
  void note_use(Record const& record) {
    auto const at = now();
    if (record.last_used_at && at - *record.last_used_at < options_.last_used_resolution) return;
    (void)store_->record_use(record.owner(), record.id, UseKind::used, at);
  }

  template <class P, class Record>
  Error mark_needs_reauth(Record const& record, Error reason) {
    (void)store_->set_status(record.owner(), record.id, IntegrationStatus::needs_reauth);
    audit({.tenant_id = record.tenant_id, .user_id = record.user_id, .provider = record.provider,
           .integration_id = record.id, .action = AuditAction::needs_reauth, .success = false,
           .reason = reason.message()});
    if (options_.on_reauth_needed)
      options_.on_reauth_needed(ReauthNeeded{record.tenant_id, record.user_id, record.provider, record.id, reason});
    Error error(Errc::needs_reauth, std::string(P::name) + " integration must be authorized again: " + reason.message());
    error.provider = P::name;
    return error;
  }

  /// One refresh of one integration, by this process while it holds the integration's
  /// lease. A token someone else refreshed meanwhile is used instead of refreshing again.
  template <class P>
    requires Refreshable<P>
  boost::asio::awaitable<Result<AccessGrant>> refresh_once(AccessRecord record) {
    auto const id = record.id;
    auto const tenant_id = record.tenant_id;
    auto const user_id = record.user_id;
    Owner const owner{tenant_id, user_id};
    auto const lease_deadline = now() + options_.refresh_lease;
    while (true) {
      auto leased = store_->try_acquire_refresh_lease(owner, id, holder_, now(), now() + options_.refresh_lease);
      if (!leased) co_return leased.error();
      if (*leased) break;
      if (now() > lease_deadline) co_return Error(Errc::timeout, "another process holds the refresh too long");
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    auto result = co_await refresh_leased<P>(std::move(record));
    (void)store_->release_refresh_lease(owner, id, holder_);
    co_return result;
  }

  template <class P>
    requires Refreshable<P>
  boost::asio::awaitable<Result<AccessGrant>> refresh_leased(AccessRecord record) {
    // Another process may have refreshed while this one waited for the lease.
    auto latest = store_->credential(record.owner(), record.id, TokenNeed::access_and_refresh);
    if (!latest) co_return latest.error();
    if (latest->record.version != record.version && !due_for_refresh(latest->record, now()))
      co_return grant(*latest, true);
    if (latest->record.status == IntegrationStatus::needs_reauth)
      co_return Error(Errc::needs_reauth, std::string(P::name) + " integration must be authorized again");
    auto credential = std::move(*latest);

    AuditEvent event{.tenant_id = credential.record.tenant_id, .user_id = credential.record.user_id,
                     .provider = std::string(P::name), .integration_id = credential.record.id,
                     .action = AuditAction::refresh, .success = false, .scopes = credential.record.scopes};
    if (!credential.refresh_token) {
      if (credential.record.expires_at && *credential.record.expires_at > now()) co_return grant(credential, false);
      co_return mark_needs_reauth<P>(credential.record,
                                     Error(Errc::no_refresh_token, "the provider issued no refresh token"));
    }
    auto config = config_for<P>();
    if (!config) co_return config.error();
    ClientCredentials const client{(*config)->client_id, (*config)->client_secret};
    auto request = refresh_request<P>(client, *credential.refresh_token);
    auto response = co_await send_with_retry<P>(**config, std::move(request), "refresh");
    if (!response) {
      event.reason = response.error().message();
      audit(event);
      co_return response.error();
    }
    auto tokens = parse_token_response<P>(*response, "refresh");
    wipe(response->body);
    if (!tokens) {
      if (tokens.error() == Errc::invalid_grant) co_return mark_needs_reauth<P>(credential.record, tokens.error());
      event.reason = tokens.error().message();
      audit(event);
      co_return tokens.error();
    }
    // The new tokens, a rotated refresh token with them, are stored before either is used.
    auto stored = store_->replace_tokens(credential, issued_tokens(std::move(*tokens), credential.record.scopes, now()));
    if (!stored) {
      event.reason = stored.error().message();
      audit(event);
      co_return stored.error();
    }
    event.success = true;
    event.scopes = stored->record.scopes;
    audit(event);
    note_use(stored->record);
    co_return grant(*stored, true);
  }

  template <class P>
  boost::asio::awaitable<Result<Disconnection>> disconnect_impl(std::string tenant_id, std::string user_id,
                                                                std::string integration_id) {
    auto record = owned<P>(store_->find({tenant_id, user_id}, integration_id), tenant_id, user_id, integration_id);
    if (!record) co_return record.error();
    auto credential = store_->credential({tenant_id, user_id}, integration_id, TokenNeed::access_and_refresh);
    if (!credential) co_return credential.error();
    Disconnection result;
    if constexpr (Revocable<P>) {
      auto config = config_for<P>();
      if (!config) co_return config.error();
      result.revoked_at_provider = true;
      ClientCredentials const client{(*config)->client_id, (*config)->client_secret};
      auto revoke = [&](std::string_view token, TokenTypeHint hint) -> boost::asio::awaitable<std::optional<Error>> {
        auto request = revocation_request<P>(client, token, hint);
        auto response = co_await send_with_retry<P>(**config, std::move(request), "revoke");
        if (!response) co_return response.error();
        // An invalid token is no error (RFC 7009 section 2.2): it is already revoked.
        if (response->status == 200) co_return std::nullopt;
        auto error = provider_error<P>(*response, "revoke");
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
      audit({.tenant_id = tenant_id, .user_id = user_id, .provider = std::string(P::name),
             .integration_id = integration_id, .action = AuditAction::revoke,
             .success = !result.revocation_error,
             .reason = result.revocation_error ? result.revocation_error->message() : std::string{}});
    }
    auto disconnected = store_->disconnect({tenant_id, user_id}, integration_id, now());
    if (!disconnected) co_return disconnected.error();
    audit({.tenant_id = tenant_id, .user_id = user_id, .provider = std::string(P::name),
           .integration_id = integration_id, .action = AuditAction::disconnect});
    result.integration = Integration::from(*disconnected);
    co_return result;
  }

  template <class P>
  boost::asio::awaitable<Result<Validation>> validate_impl(std::string tenant_id, std::string user_id,
                                                         std::string integration_id) {
    Owner const owner{tenant_id, user_id};
    AuthorizedClient<Manager, P> const api(*this, tenant_id, user_id, integration_id);
    auto request = ApiRequest::get(std::string(validation_endpoint<P>()));
    auto answer = co_await api.async_send(std::move(request), boost::asio::use_awaitable);
    std::optional<Error> problem;
    if (!answer) {
      auto const& error = answer.error();
      // Only the provider's own refusal says the integration is broken; the network, a
      // busy provider or the store say nothing about it.
      if (error == Errc::needs_reauth) problem = error;
      else if (is_transient(error) || error.provider_status == 0) co_return error;
      else problem = reject_token<P>(tenant_id, user_id, integration_id, error);
    } else if (auto recorded = store_->record_use(owner, integration_id, UseKind::validated, now()); !recorded) {
      co_return recorded.error();
    }
    auto record = store_->find(owner, integration_id);
    if (!record) co_return record.error();
    co_return Validation{Integration::from(*record), !problem, std::move(problem)};
  }

  /// A replacement for the access token the provider just refused: the stored one if
  /// someone replaced it meanwhile, else a refresh shared with every caller that asks
  /// while it runs. A provider that cannot refresh, or a token a refresh cannot replace,
  /// leaves the integration needing reauthorization.
  template <class P>
  boost::asio::awaitable<Result<AccessGrant>> renew_rejected(std::string tenant_id, std::string user_id,
                                                             std::string integration_id, AccessToken rejected,
                                                             Error reason) {
    auto record = owned<P>(store_->find_access({tenant_id, user_id}, integration_id), tenant_id, user_id,
                           integration_id);
    if (!record) co_return record.error();
    if (record->status == IntegrationStatus::needs_reauth)
      co_return Error(Errc::needs_reauth, std::string(P::name) + " integration must be authorized again");
    auto current = store_->access_token(*record);
    if (!current) co_return current.error();
    if (!crypto::constant_time_equal(current->reveal(), rejected.reveal()))
      co_return grant(std::move(*record), std::move(*current));
    if constexpr (Refreshable<P>) {
      auto renewed = co_await shared_refresh<P>(std::move(*record));
      if (renewed && crypto::constant_time_equal(renewed->access_token.reveal(), rejected.reveal()))
        co_return reject_token<P>(tenant_id, user_id, integration_id, std::move(reason));
      co_return renewed;
    } else {
      co_return mark_needs_reauth<P>(*record, std::move(reason));
    }
  }

  /// The provider refused the integration's token for good: it needs reauthorization.
  template <class P>
  Error reject_token(std::string_view tenant_id, std::string_view user_id, std::string_view integration_id,
                     Error reason) {
    auto record = store_->find_access({tenant_id, user_id}, integration_id);
    if (!record) return record.error();
    return mark_needs_reauth<P>(*record, std::move(reason));
  }

  boost::asio::any_io_executor executor_;
  std::shared_ptr<detail::manager::StorePort> store_;
  std::function<boost::asio::awaitable<Result<HttpResponse>>(HttpRequest)> send_;
  ManagerOptions options_;
  std::string holder_;  ///< this manager's name on refresh leases
  mutable std::mutex config_mutex_;
  std::array<std::shared_ptr<ProviderConfig const>, sizeof...(Ps)> configs_{};
  detail::async::SingleFlight<AccessGrant> refreshes_;
  detail::async::RateGates rate_gates_;  ///< API request pacing, per credential
};

}  // namespace oauth

#endif
