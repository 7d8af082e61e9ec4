#ifndef OAUTH_MANAGER_HPP
#define OAUTH_MANAGER_HPP

#include <oauth/api/client.hpp>
#include <oauth/api/request.hpp>
#include <oauth/completion_token.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/detail/manager/engine.hpp>
#include <oauth/detail/meta/type_list.hpp>
#include <oauth/detail/store/store_port.hpp>
#include <oauth/http/https_transport.hpp>
#include <oauth/http/transport.hpp>
#include <oauth/manager/flow.hpp>
#include <oauth/manager/integration.hpp>
#include <oauth/manager/options.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_profile.hpp>
#include <oauth/store/token_store.hpp>

#include <boost/asio/use_awaitable.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace oauth {

/// The whole OAuth life of a set of providers, composed at compile time: authorization
/// with state and PKCE, the callback, tokens at rest, fresh access tokens on demand (one
/// refresh at a time, across processes too), and disconnection. What a provider cannot
/// do does not exist for it: no refresh path for a provider without refresh, no revocation
/// call for one without a revocation endpoint.
///
/// Each network operation comes as `async_x(..., token)` and as a blocking `x(...)`. Each
/// operation that only reads or writes the store comes as `async_x(..., token)`, run where
/// the store's blocking calls run (store_executor()), and as `x(...)`, which calls the store
/// on the calling thread: in a coroutine on an I/O thread, use the async_ form.
///
/// The `async_` forms keep Asio's contract. The token is any completion token for
/// `void(Result<T>)` (use_awaitable, use_future, a callback, deferred, as_tuple...);
/// without one, `deferred`. Failures are values in the Result, never exceptions. The
/// handler runs on its associated executor (the manager's when it has none), and what the
/// operation allocates for itself comes from its associated allocator (the coroutines'
/// frames from Asio's recycling allocator, as every Asio coroutine's). Each operation says which types of
/// cancellation it supports on the handler's associated cancellation slot; a cancelled
/// operation completes with `boost::asio::error::operation_aborted`, and a signal of a type
/// it does not support is ignored.
///
/// The blocking forms wait on the calling thread for the operation, which runs on the
/// manager's executor. They refuse, with would_deadlock, on a thread that runs the
/// executor's context (through any executor of it, strands included).
template <class... Ps>
class Manager {
  // One error line for each problem of a provider, naming the member (ProviderRequirements).
  static_assert((ProviderRequirements<Ps>::value && ...));
  static_assert(sizeof...(Ps) > 0, "oauth Manager: list at least one provider");
  static_assert(detail::meta::unique<Ps...>, "oauth Manager: a provider is listed twice");

public:
  using executor_type = boost::asio::any_io_executor;
  static constexpr std::array<std::string_view, sizeof...(Ps)> provider_names{Ps::name...};

  /// With the library's HTTPS transport on `executor`.
  template <StoreBackend Backend>
  Manager(boost::asio::any_io_executor executor, TokenStore<Backend>& store, ManagerOptions options = {})
      : Manager(executor, store, HttpsTransport(executor), std::move(options)) {}

  template <StoreBackend Backend, Transport T>
  Manager(boost::asio::any_io_executor executor, TokenStore<Backend>& store, T transport, ManagerOptions options = {})
      : engine_(
            std::move(executor), std::make_shared<detail::store::StoreAdapter<Backend>>(store),
            [t = std::make_shared<T>(std::move(transport))](HttpRequest request) {
              return t->async_send(std::move(request), boost::asio::use_awaitable);
            },
            std::move(options), profiles) {
    // Names route callbacks and stored integrations: Microsoft<"common"> and
    // Microsoft<"contoso"> in one manager would share them.
    static_assert(
        std::ranges::all_of(provider_names, [](auto n) { return std::ranges::count(provider_names, n) == 1; }),
        "oauth Manager: two providers share a name");
  }

  boost::asio::any_io_executor get_executor() const noexcept { return engine_.get_executor(); }
  ManagerOptions const& options() const noexcept { return engine_.options(); }

  /// Sets a provider's client registration. Checked here, so a bad one fails at start-up.
  template <class P>
  Result<void> configure(ProviderConfig config) {
    std::size_t const provider = index<P>();
    return engine_.configure(provider, std::move(config));
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

  // ---- authorization ------------------------------------------------------------------

  /// The URL to send the user to, and the single-use state kept until the callback.
  /// Asking an integrated user for more scopes asks incrementally where the provider can.
  template <class P>
  Result<FlowStart> initiate_flow(FlowRequest const& request) {
    std::size_t const provider = index<P>();
    return engine_.initiate_flow(provider, request);
  }

  /// initiate_flow, with the state saved where the store's blocking calls run, and no
  /// thread held waiting for the commit where the store lines writes up for one (SQL). A
  /// coroutine that awaits it with use_awaitable runs it without a coroutine of its own.
  ///
  /// Completion signature: `void(Result<FlowStart>)`.
  ///
  /// Cancellation: none, as for every operation that only calls the store: a call once
  /// begun ends (the store's own timeouts bound it), so that no write is cut in half.
  template <class P, CompletionTokenFor<FlowStart> CompletionToken = DefaultCompletionToken>
  auto async_initiate_flow(FlowRequest request, CompletionToken&& token = {}) {
    std::size_t const provider = index<P>();
    auto starting = engine_.initiate_flow_async(provider, std::move(request));
    if constexpr (std::is_same_v<std::decay_t<CompletionToken>, boost::asio::use_awaitable_t<>>)
      return starting;
    else
      return detail::async::spawn<FlowStart>(get_executor(), std::move(starting),
                                             detail::async::cancellation_type::none,
                                             std::forward<CompletionToken>(token));
  }

  /// Whether the user's active integrations with P grant every scope in `wanted`, and if
  /// not, which are missing: ask for just those next.
  template <class P>
  Result<ScopeCoverage> scope_coverage(std::string_view tenant_id, std::string_view user_id,
                                       std::vector<std::string_view> const& wanted) {
    std::size_t const provider = index<P>();
    return engine_.scope_coverage(provider, tenant_id, user_id, wanted);
  }

  /// scope_coverage, read where the store's blocking calls run.
  ///
  /// Completion signature: `void(Result<ScopeCoverage>)`. Cancellation: none.
  template <class P, CompletionTokenFor<ScopeCoverage> CompletionToken = DefaultCompletionToken>
  auto async_scope_coverage(std::string tenant_id, std::string user_id, std::vector<std::string> wanted,
                            CompletionToken&& token = {}) {
    return stored<ScopeCoverage>(
        [this, provider = index<P>(), tenant_id = std::move(tenant_id), user_id = std::move(user_id),
         wanted = std::move(wanted)] {
          std::vector<std::string_view> const names(wanted.begin(), wanted.end());
          return engine_.scope_coverage(provider, tenant_id, user_id, names);
        },
        std::forward<CompletionToken>(token));
  }

  /// The callback: the state checked (exists, unexpired, unused, this session, this
  /// provider), the code exchanged, the identity mapped, the tokens stored encrypted, the
  /// consent recorded and the outcome audited.
  ///
  /// Completion signature: `void(Result<Integration>)`.
  ///
  /// Cancellation: terminal. The requests to the provider are abandoned and nothing is
  /// stored; the state is spent, so the user starts again.
  template <class P, CompletionTokenFor<Integration> CompletionToken = DefaultCompletionToken>
  auto async_complete_flow(FlowCallback callback, CompletionToken&& token = {}) {
    std::size_t const provider = index<P>();
    return detail::async::spawn<Integration>(get_executor(), engine_.complete(provider, std::move(callback)), terminal,
                                             std::forward<CompletionToken>(token));
  }

  template <class P>
  Result<Integration> complete_flow(FlowCallback callback) {
    std::size_t const provider = index<P>();
    return engine_.complete_blocking(provider, std::move(callback));
  }

  // ---- tokens -------------------------------------------------------------------------

  /// A valid access token for the owning user and tenant only; anyone else is told the
  /// integration does not exist, and the attempt is audited. Refreshed first when it
  /// would expire within the leeway.
  ///
  /// Completion signature: `void(Result<AccessGrant>)`.
  ///
  /// Cancellation: terminal and partial. A caller waiting for a refresh stops waiting at
  /// once; the refresh, shared with every caller of the integration, goes on for the
  /// others and its tokens are stored. A fresh token is handed out without waiting.
  template <class P, CompletionTokenFor<AccessGrant> CompletionToken = DefaultCompletionToken>
  auto async_get_access_token(std::string tenant_id, std::string user_id, std::string integration_id,
                              CompletionToken&& token = {}) {
    std::size_t const provider = index<P>();
    return access_token(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id), false,
                        std::forward<CompletionToken>(token));
  }

  template <class P>
  Result<AccessGrant> get_access_token(std::string_view tenant_id, std::string_view user_id,
                                       std::string_view integration_id) {
    std::size_t const provider = index<P>();
    return engine_.access_blocking(provider, tenant_id, user_id, integration_id, false);
  }

  /// async_get_access_token for an integration known by its id alone, whichever of the
  /// manager's providers it is with: the record read once tells which, where a caller
  /// would otherwise read the integration first to learn its provider. The grant names
  /// the provider. An integration with a provider the manager does not have is
  /// `provider_not_configured`.
  ///
  /// Completion signature: `void(Result<AccessGrant>)`. Cancellation: terminal and
  /// partial, as for async_get_access_token.
  template <CompletionTokenFor<AccessGrant> CompletionToken = DefaultCompletionToken>
  auto async_get_access_token_by_id(std::string tenant_id, std::string user_id, std::string integration_id,
                                    CompletionToken&& token = {}) {
    return access_token(detail::manager::Engine::any_provider, std::move(tenant_id), std::move(user_id),
                        std::move(integration_id), false, std::forward<CompletionToken>(token));
  }

  Result<AccessGrant> get_access_token_by_id(std::string_view tenant_id, std::string_view user_id,
                                             std::string_view integration_id) {
    return engine_.access_blocking(detail::manager::Engine::any_provider, tenant_id, user_id, integration_id, false);
  }

  /// Refreshes now, whatever the token's expiry. Only for providers that refresh.
  ///
  /// Completion signature: `void(Result<AccessGrant>)`.
  ///
  /// Cancellation: terminal and partial, as for async_get_access_token: the caller stops
  /// waiting, the refresh goes on and is stored.
  template <Refreshable P, CompletionTokenFor<AccessGrant> CompletionToken = DefaultCompletionToken>
  auto async_refresh(std::string tenant_id, std::string user_id, std::string integration_id,
                     CompletionToken&& token = {}) {
    std::size_t const provider = index<P>();
    return access_token(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id), true,
                        std::forward<CompletionToken>(token));
  }

  template <Refreshable P>
  Result<AccessGrant> refresh(std::string_view tenant_id, std::string_view user_id, std::string_view integration_id) {
    std::size_t const provider = index<P>();
    return engine_.access_blocking(provider, tenant_id, user_id, integration_id, true);
  }

  /// async_refresh for an integration known by its id alone, whichever of the manager's
  /// providers it is with, as async_get_access_token_by_id: one read of the record where
  /// a caller would otherwise read it first to learn its provider. An integration whose
  /// provider does not refresh is `refresh_unsupported`; one with a provider the manager
  /// does not have is `provider_not_configured`.
  ///
  /// Completion signature: `void(Result<AccessGrant>)`. Cancellation: terminal and
  /// partial, as for async_refresh.
  template <CompletionTokenFor<AccessGrant> CompletionToken = DefaultCompletionToken>
  auto async_refresh_by_id(std::string tenant_id, std::string user_id, std::string integration_id,
                           CompletionToken&& token = {}) {
    return access_token(detail::manager::Engine::any_provider, std::move(tenant_id), std::move(user_id),
                        std::move(integration_id), true, std::forward<CompletionToken>(token));
  }

  Result<AccessGrant> refresh_by_id(std::string_view tenant_id, std::string_view user_id,
                                    std::string_view integration_id) {
    return engine_.access_blocking(detail::manager::Engine::any_provider, tenant_id, user_id, integration_id, true);
  }

  /// Revokes at the provider where it can, then deletes the tokens and consents and marks
  /// the integration disconnected. A provider that refuses or cannot be reached does not
  /// stop the local disconnect; the result says so.
  ///
  /// Completion signature: `void(Result<Disconnection>)`.
  ///
  /// Cancellation: none. Once begun a disconnect runs to its end (the transport's
  /// timeouts bound the revocation), so that no integration is left half disconnected.
  template <class P, CompletionTokenFor<Disconnection> CompletionToken = DefaultCompletionToken>
  auto async_disconnect(std::string tenant_id, std::string user_id, std::string integration_id,
                        CompletionToken&& token = {}) {
    std::size_t const provider = index<P>();
    return detail::async::spawn<Disconnection>(
        get_executor(),
        engine_.disconnect(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id)),
        detail::async::cancellation_type::none, std::forward<CompletionToken>(token));
  }

  template <class P>
  Result<Disconnection> disconnect(std::string tenant_id, std::string user_id, std::string integration_id) {
    std::size_t const provider = index<P>();
    return engine_.disconnect_blocking(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id));
  }

  /// Asks the provider whether an integration still works, with a read call made with its
  /// token through the authorized client: the userinfo endpoint, or the provider's own
  /// validation endpoint (Notion's bot user). A token due for refresh is refreshed first,
  /// and one the provider refuses is refreshed once. An accepted token records when it was
  /// validated; a refused one marks the integration as needing reauthorization (a
  /// Validation that says why, not an error). A provider that cannot be reached is an
  /// error, and changes nothing.
  ///
  /// Completion signature: `void(Result<Validation>)`.
  ///
  /// Cancellation: terminal. The read call is abandoned and nothing is recorded; a refresh
  /// it waited for goes on and is stored.
  template <Validatable P, CompletionTokenFor<Validation> CompletionToken = DefaultCompletionToken>
  auto async_validate(std::string tenant_id, std::string user_id, std::string integration_id,
                      CompletionToken&& token = {}) {
    std::size_t const provider = index<P>();
    return detail::async::spawn<Validation>(
        get_executor(), engine_.validate(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id)),
        terminal, std::forward<CompletionToken>(token));
  }

  template <Validatable P>
  Result<Validation> validate(std::string tenant_id, std::string user_id, std::string integration_id) {
    std::size_t const provider = index<P>();
    return engine_.validate_blocking(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id));
  }

  /// The refreshes under way in this process and their callers, for metrics.
  RefreshActivity refresh_activity() const { return engine_.refresh_activity(); }

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
    return engine_.cached_resources(tenant_id, user_id, integration_id, kind);
  }

  /// Completion signature: `void(Result<std::vector<CachedResource>>)`. Cancellation: none.
  template <CompletionTokenFor<std::vector<CachedResource>> CompletionToken = DefaultCompletionToken>
  auto async_cached_resources(std::string tenant_id, std::string user_id, std::string integration_id, std::string kind,
                              CompletionToken&& token = {}) {
    return stored<std::vector<CachedResource>>(
        [this, tenant_id = std::move(tenant_id), user_id = std::move(user_id),
         integration_id = std::move(integration_id),
         kind = std::move(kind)] { return engine_.cached_resources(tenant_id, user_id, integration_id, kind); },
        std::forward<CompletionToken>(token));
  }

  /// Replaces an integration's cached objects of one kind, all at once.
  Result<void> replace_cached_resources(std::string_view tenant_id, std::string_view user_id,
                                        std::string_view integration_id, std::string_view kind,
                                        std::vector<CachedResource> resources) {
    return engine_.replace_cached_resources(tenant_id, user_id, integration_id, kind, std::move(resources));
  }

  /// Completion signature: `void(Result<void>)`. Cancellation: none.
  template <CompletionTokenFor<void> CompletionToken = DefaultCompletionToken>
  auto async_replace_cached_resources(std::string tenant_id, std::string user_id, std::string integration_id,
                                      std::string kind, std::vector<CachedResource> resources,
                                      CompletionToken&& token = {}) {
    return stored<void>(
        [this, tenant_id = std::move(tenant_id), user_id = std::move(user_id),
         integration_id = std::move(integration_id), kind = std::move(kind),
         resources = std::move(resources)]() mutable {
          return engine_.replace_cached_resources(tenant_id, user_id, integration_id, kind, std::move(resources));
        },
        std::forward<CompletionToken>(token));
  }

  /// The user's integrations with every provider, disconnected ones included.
  Result<std::vector<Integration>> integrations(std::string_view tenant_id, std::string_view user_id) {
    return engine_.integrations(tenant_id, user_id);
  }

  /// Completion signature: `void(Result<std::vector<Integration>>)`. Cancellation: none.
  template <CompletionTokenFor<std::vector<Integration>> CompletionToken = DefaultCompletionToken>
  auto async_integrations(std::string tenant_id, std::string user_id, CompletionToken&& token = {}) {
    return stored<std::vector<Integration>>(
        [this, tenant_id = std::move(tenant_id), user_id = std::move(user_id)] {
          return engine_.integrations(tenant_id, user_id);
        },
        std::forward<CompletionToken>(token));
  }

  /// One of the user's integrations; another user's is integration_not_found, audited.
  Result<Integration> integration(std::string_view tenant_id, std::string_view user_id, std::string_view id) {
    return engine_.integration(tenant_id, user_id, id);
  }

  /// Completion signature: `void(Result<Integration>)`. Cancellation: none.
  template <CompletionTokenFor<Integration> CompletionToken = DefaultCompletionToken>
  auto async_integration(std::string tenant_id, std::string user_id, std::string id, CompletionToken&& token = {}) {
    return stored<Integration>([this, tenant_id = std::move(tenant_id), user_id = std::move(user_id),
                                id = std::move(id)] { return engine_.integration(tenant_id, user_id, id); },
                               std::forward<CompletionToken>(token));
  }

  Result<std::vector<ConsentRecord>> consents(std::string_view tenant_id, std::string_view user_id) {
    return engine_.consents(tenant_id, user_id);
  }

  /// Completion signature: `void(Result<std::vector<ConsentRecord>>)`. Cancellation: none.
  template <CompletionTokenFor<std::vector<ConsentRecord>> CompletionToken = DefaultCompletionToken>
  auto async_consents(std::string tenant_id, std::string user_id, CompletionToken&& token = {}) {
    return stored<std::vector<ConsentRecord>>(
        [this, tenant_id = std::move(tenant_id), user_id = std::move(user_id)] {
          return engine_.consents(tenant_id, user_id);
        },
        std::forward<CompletionToken>(token));
  }

  Result<std::vector<AuditEvent>> audit_log(std::string_view tenant_id, std::string_view user_id) {
    return engine_.audit_log(tenant_id, user_id);
  }

  /// Completion signature: `void(Result<std::vector<AuditEvent>>)`. Cancellation: none.
  template <CompletionTokenFor<std::vector<AuditEvent>> CompletionToken = DefaultCompletionToken>
  auto async_audit_log(std::string tenant_id, std::string user_id, CompletionToken&& token = {}) {
    return stored<std::vector<AuditEvent>>(
        [this, tenant_id = std::move(tenant_id), user_id = std::move(user_id)] {
          return engine_.audit_log(tenant_id, user_id);
        },
        std::forward<CompletionToken>(token));
  }

  /// A page of the user's audit log, newest first (TokenStore::audit_page).
  Result<AuditPage> audit_page(std::string_view tenant_id, std::string_view user_id, AuditQuery query) {
    return engine_.audit_page(tenant_id, user_id, query);
  }

  /// Completion signature: `void(Result<AuditPage>)`. Cancellation: none.
  template <CompletionTokenFor<AuditPage> CompletionToken = DefaultCompletionToken>
  auto async_audit_page(std::string tenant_id, std::string user_id, AuditQuery query, CompletionToken&& token = {}) {
    return stored<AuditPage>([this, tenant_id = std::move(tenant_id), user_id = std::move(user_id),
                              query] { return engine_.audit_page(tenant_id, user_id, query); },
                             std::forward<CompletionToken>(token));
  }

  /// Everything held for one user, as JSON: integrations, consents and audit log. No
  /// token, ciphertext or secret.
  Result<boost::json::object> export_user_data(std::string_view tenant_id, std::string_view user_id) {
    return engine_.export_user_data(tenant_id, user_id);
  }

  /// Completion signature: `void(Result<boost::json::object>)`. Cancellation: none.
  template <CompletionTokenFor<boost::json::object> CompletionToken = DefaultCompletionToken>
  auto async_export_user_data(std::string tenant_id, std::string user_id, CompletionToken&& token = {}) {
    return stored<boost::json::object>(
        [this, tenant_id = std::move(tenant_id), user_id = std::move(user_id)] {
          return engine_.export_user_data(tenant_id, user_id);
        },
        std::forward<CompletionToken>(token));
  }

  /// Where the manager runs blocking store calls: ManagerOptions::store_executor, or the
  /// pool the manager owns; its own executor when the store never blocks. An application
  /// that calls the TokenStore itself from a coroutine calls it there.
  executor_type store_executor() const noexcept { return engine_.store_executor(); }

  /// Erases a user: every live integration is revoked at its provider where it can be,
  /// then every record held for the user is deleted, and one audit entry says so.
  /// Revocations that fail do not stop the erasure; the result lists them.
  ///
  /// Completion signature: `void(Result<Erasure>)`.
  ///
  /// Cancellation: none. Once begun an erasure runs to its end, so that no user is left
  /// half erased.
  template <CompletionTokenFor<Erasure> CompletionToken = DefaultCompletionToken>
  auto async_erase_user(std::string tenant_id, std::string user_id, CompletionToken&& token = {}) {
    return detail::async::spawn<Erasure>(get_executor(), engine_.erase_user(std::move(tenant_id), std::move(user_id)),
                                         detail::async::cancellation_type::none, std::forward<CompletionToken>(token));
  }

  Result<Erasure> erase_user(std::string tenant_id, std::string user_id) {
    return engine_.erase_user_blocking(std::move(tenant_id), std::move(user_id));
  }

private:
  template <class M, Provider Q>
  friend class AuthorizedClient;

  static constexpr auto terminal = detail::async::cancellation_type::terminal;
  static constexpr auto partial = detail::async::cancellation_type::partial;

  /// The providers' traits as the engine reads them, in the list's order.
  static constexpr std::array<ProviderProfile const*, sizeof...(Ps)> profiles{&provider_profile<Ps>...};

  template <class P>
  static constexpr void check_listed() noexcept {
    static_assert(detail::meta::contains<P, Ps...>,
                  "oauth Manager: this provider is not in the Manager's provider list");
  }

  /// P's place in the list; P must be listed. Callers name it first, as a local: in a
  /// call whose argument depends on P, clang-tidy cannot see the moves of the others.
  template <class P>
  static constexpr std::size_t index() noexcept {
    check_listed<P>();
    if constexpr (detail::meta::contains<P, Ps...>)
      return detail::meta::index_of<P, Ps...>();
    else
      return 0;
  }

  /// `f()`, one synchronous operation of the engine, as an async_ operation: run where the
  /// store's blocking calls run, and not cancellable.
  template <class T, class F, class CompletionToken>
  auto stored(F f, CompletionToken&& token) {
    return detail::async::spawn<T>(get_executor(), engine_.stored(std::move(f)), detail::async::cancellation_type::none,
                                   std::forward<CompletionToken>(token));
  }

  /// Both forms of async_get_access_token and async_refresh (`force`): a coroutine that
  /// awaits reads a fresh token without a coroutine of its own (engine access_here); any
  /// other token gets one.
  template <class CompletionToken>
  auto access_token(std::size_t provider, std::string tenant_id, std::string user_id, std::string integration_id,
                    bool force, CompletionToken&& token) {
    if constexpr (std::is_same_v<std::decay_t<CompletionToken>, boost::asio::use_awaitable_t<>>)
      return engine_.access_here(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id), force);
    else
      return detail::async::spawn<AccessGrant>(
          get_executor(),
          engine_.access(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id), force),
          terminal | partial, std::forward<CompletionToken>(token));
  }

  /// AuthorizedClient's one way in.
  template <class P>
  boost::asio::awaitable<Result<ApiResponse>> api_call(std::string tenant_id, std::string user_id,
                                                       std::string integration_id, ApiRequest request) {
    std::size_t const provider = index<P>();
    return engine_.api_call(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id),
                            std::move(request));
  }

  template <class P>
  Result<ApiResponse> api_call_blocking(std::string tenant_id, std::string user_id, std::string integration_id,
                                        ApiRequest request) {
    std::size_t const provider = index<P>();
    return engine_.api_call_blocking(provider, std::move(tenant_id), std::move(user_id), std::move(integration_id),
                                     std::move(request));
  }

  detail::manager::Engine engine_;
};

}  // namespace oauth

#endif
