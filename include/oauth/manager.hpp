#ifndef OAUTH_MANAGER_HPP
#define OAUTH_MANAGER_HPP

#include <oauth/api/client.hpp>
#include <oauth/api/request.hpp>
#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/pkce.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/crypto/state.hpp>
#include <oauth/detail/api/authorized_request.hpp>
#include <oauth/detail/api/retry_status.hpp>
#include <oauth/detail/api/target.hpp>
#include <oauth/detail/async/rate_gate.hpp>
#include <oauth/detail/async/retry.hpp>
#include <oauth/detail/async/single_flight.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/detail/http/url.hpp>
#include <oauth/detail/manager/api_call.hpp>
#include <oauth/detail/manager/store_port.hpp>
#include <oauth/detail/meta/type_list.hpp>
#include <oauth/http/https_transport.hpp>
#include <oauth/http/transport.hpp>
#include <oauth/manager/flow.hpp>
#include <oauth/manager/integration.hpp>
#include <oauth/manager/options.hpp>
#include <oauth/protocol/authorization_response.hpp>
#include <oauth/protocol/authorization_url.hpp>
#include <oauth/protocol/endpoint_request.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/protocol/token_response.hpp>
#include <oauth/provider.hpp>
#include <oauth/scope_catalogue.hpp>
#include <oauth/store/record_json.hpp>
#include <oauth/store/scope_records.hpp>
#include <oauth/store/token_store.hpp>

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
template <class... Ps>
class Manager {
  // One error line for each problem of a provider, naming the member (ProviderRequirements).
  static_assert((ProviderRequirements<Ps>::value && ...));
  static_assert(sizeof...(Ps) > 0, "oauth Manager: list at least one provider");
  static_assert(detail::meta::unique<Ps...>, "oauth Manager: a provider is listed twice");

public:
  static constexpr std::array<std::string_view, sizeof...(Ps)> provider_names{Ps::name...};

  /// With the library's HTTPS transport on `executor`.
  template <StoreBackend Backend>
  Manager(boost::asio::any_io_executor executor, TokenStore<Backend>& store, ManagerOptions options = {});

  template <StoreBackend Backend, Transport T>
  Manager(boost::asio::any_io_executor executor, TokenStore<Backend>& store, T transport, ManagerOptions options = {});

  boost::asio::any_io_executor get_executor() const noexcept { return executor_; }
  ManagerOptions const& options() const noexcept { return options_; }

  /// Sets a provider's client registration. Checked here, so a bad one fails at start-up.
  template <class P>
  Result<void> configure(ProviderConfig config);

  /// Calls `f(std::type_identity<P>{})` for the listed provider called `name`; false when
  /// none is. How a provider named in a URL or a command line reaches the typed API.
  template <class F>
  bool visit_provider(std::string_view name, F&& f) const;

  // ---- authorization ------------------------------------------------------------------

  /// The URL to send the user to, and the single-use state kept until the callback.
  /// Asking an integrated user for more scopes asks incrementally where the provider can.
  template <class P>
  Result<FlowStart> initiate_flow(FlowRequest const& request);

  /// Whether the user's active integrations with P grant every scope in `wanted`, and if
  /// not, which are missing: ask for just those next.
  template <class P>
  Result<ScopeCoverage> scope_coverage(std::string_view tenant_id, std::string_view user_id,
                                       std::vector<std::string_view> const& wanted);

  /// The callback: the state checked (exists, unexpired, unused, this session, this
  /// provider), the code exchanged, the identity mapped, the tokens stored encrypted, the
  /// consent recorded and the outcome audited.
  template <class P, class CompletionToken>
  auto async_complete_flow(FlowCallback callback, CompletionToken&& token);

  template <class P>
  Result<Integration> complete_flow(FlowCallback callback);

  // ---- tokens -------------------------------------------------------------------------

  /// A valid access token for the owning user and tenant only; anyone else is told the
  /// integration does not exist, and the attempt is audited. Refreshed first when it
  /// would expire within the leeway.
  template <class P, class CompletionToken>
  auto async_get_access_token(std::string tenant_id, std::string user_id, std::string integration_id,
                              CompletionToken&& token);

  template <class P>
  Result<AccessGrant> get_access_token(std::string_view tenant_id, std::string_view user_id,
                                       std::string_view integration_id);

  /// Refreshes now, whatever the token's expiry. Only for providers that refresh.
  template <Refreshable P, class CompletionToken>
  auto async_refresh(std::string tenant_id, std::string user_id, std::string integration_id, CompletionToken&& token);

  template <Refreshable P>
  Result<AccessGrant> refresh(std::string_view tenant_id, std::string_view user_id, std::string_view integration_id);

  /// Revokes at the provider where it can, then deletes the tokens and consents and marks
  /// the integration disconnected. A provider that refuses or cannot be reached does not
  /// stop the local disconnect; the result says so.
  template <class P, class CompletionToken>
  auto async_disconnect(std::string tenant_id, std::string user_id, std::string integration_id,
                        CompletionToken&& token);

  template <class P>
  Result<Disconnection> disconnect(std::string tenant_id, std::string user_id, std::string integration_id);

  /// Asks the provider whether an integration still works, with a read call made with its
  /// token through the authorized client: the userinfo endpoint, or the provider's own
  /// validation endpoint (Notion's bot user). A token due for refresh is refreshed first,
  /// and one the provider refuses is refreshed once. An accepted token records when it was
  /// validated; a refused one marks the integration as needing reauthorization (a
  /// Validation that says why, not an error). A provider that cannot be reached is an
  /// error, and changes nothing.
  template <Validatable P, class CompletionToken>
  auto async_validate(std::string tenant_id, std::string user_id, std::string integration_id, CompletionToken&& token);

  template <Validatable P>
  Result<Validation> validate(std::string tenant_id, std::string user_id, std::string integration_id);

  /// The refreshes under way in this process and their callers, for metrics.
  RefreshActivity refresh_activity() const {
    auto const now = refreshes_.activity();
    return {now.runs, now.callers};
  }

  /// Calls P's API as one of the user's integrations (see AuthorizedClient). The manager
  /// must outlive the client's calls.
  template <class P>
  AuthorizedClient<Manager, P> client(std::string tenant_id, std::string user_id, std::string integration_id);

  /// What an integration last listed of one kind at its provider (CachedResource), for
  /// its owner only.
  Result<std::vector<CachedResource>> cached_resources(std::string_view tenant_id, std::string_view user_id,
                                                       std::string_view integration_id, std::string_view kind);

  /// Replaces an integration's cached objects of one kind, all at once.
  Result<void> replace_cached_resources(std::string_view tenant_id, std::string_view user_id,
                                        std::string_view integration_id, std::string_view kind,
                                        std::vector<CachedResource> resources);

  /// The user's integrations with every provider, disconnected ones included.
  Result<std::vector<Integration>> integrations(std::string_view tenant_id, std::string_view user_id);

  /// One of the user's integrations; another user's is integration_not_found, audited.
  Result<Integration> integration(std::string_view tenant_id, std::string_view user_id, std::string_view id);

  Result<std::vector<ConsentRecord>> consents(std::string_view tenant_id, std::string_view user_id);

  Result<std::vector<AuditEvent>> audit_log(std::string_view tenant_id, std::string_view user_id);

  /// A page of the user's audit log, newest first (TokenStore::audit_page).
  Result<AuditPage> audit_page(std::string_view tenant_id, std::string_view user_id, AuditQuery query);

  /// Everything held for one user, as JSON: integrations, consents and audit log. No
  /// token, ciphertext or secret.
  Result<boost::json::object> export_user_data(std::string_view tenant_id, std::string_view user_id);

  /// Erases a user: every live integration is revoked at its provider where it can be,
  /// then every record held for the user is deleted, and one audit entry says so.
  /// Revocations that fail do not stop the erasure; the result lists them.
  template <class CompletionToken>
  auto async_erase_user(std::string tenant_id, std::string user_id, CompletionToken&& token);

  Result<Erasure> erase_user(std::string tenant_id, std::string user_id);

private:
  template <class M, Provider Q>
  friend class AuthorizedClient;

  // ---- shared by every operation (impl/manager/configure.hpp) -------------------------

  template <class P>
  static constexpr std::size_t index() noexcept {
    return detail::meta::index_of<P, Ps...>();
  }

  template <class P>
  static constexpr void check_listed() noexcept {
    static_assert(detail::meta::contains<P, Ps...>,
                  "oauth Manager: this provider is not in the Manager's provider list");
  }

  TimePoint now() const { return options_.clock(); }

  template <class P>
  Result<std::shared_ptr<ProviderConfig const>> config_for() const;

  void audit(AuditEvent event);

  template <class P>
  boost::asio::awaitable<Result<HttpResponse>> send(ProviderConfig const& config, HttpRequest request);

  /// Sends to P's token, userinfo or revocation endpoint, retrying passing failures as
  /// ManagerOptions::retry says.
  template <class P>
  boost::asio::awaitable<Result<HttpResponse>> send_with_retry(ProviderConfig const& config, HttpRequest request,
                                                               std::string_view during);

  template <class P>
  boost::asio::awaitable<detail::async::Attempt<HttpResponse>> token_endpoint_attempt(ProviderConfig const& config,
                                                                                      HttpRequest request,
                                                                                      std::string_view during);

  static void wipe(std::string& s) noexcept { OPENSSL_cleanse(s.data(), s.size()); }

  // ---- the API (impl/manager/api.hpp) -------------------------------------------------

  /// AuthorizedClient's one way in: a call of P's API as one integration, its token
  /// attached, renewed once when refused, paced, and retried as ManagerOptions::api_retry
  /// says. Owns copies of everything it uses but the manager.
  template <class P>
  boost::asio::awaitable<Result<ApiResponse>> api_call(std::string tenant_id, std::string user_id,
                                                       std::string integration_id, ApiRequest request);

  template <class P>
  boost::asio::awaitable<detail::async::Attempt<ApiResponse>> api_attempt(detail::manager::ApiCall& call);

  // ---- the callback (impl/manager/complete.hpp) ---------------------------------------

  template <class P>
  boost::asio::awaitable<Result<Integration>> complete(FlowCallback callback);

  template <class P>
  boost::asio::awaitable<Result<UserInfo>> identify(ProviderConfig const& config, TokenResponse const& tokens);

  static IssuedTokens issued_tokens(TokenResponse tokens, std::vector<std::string> const& requested, TimePoint at);

  // ---- access tokens (impl/manager/access.hpp) ----------------------------------------

  /// Refresh when the token expires within the leeway, capped at half its lifetime.
  template <class Record>
  bool due_for_refresh(Record const& record, TimePoint at) const;

  static AccessGrant grant(Credential const& credential, bool refreshed);

  static AccessGrant grant(AccessRecord&& record, AccessToken token);

  /// The integration (whole, or what a token needs), if it is this user's in this tenant
  /// and P's. The store refuses and audits another owner's; this refuses the owner's own
  /// under the wrong provider, or disconnected, and audits that.
  template <class P, class Record>
  Result<Record> owned(Result<Record> record, std::string_view tenant_id, std::string_view user_id,
                       std::string_view integration_id);

  /// What a token request needs: an answer found without the network (a fresh token, an
  /// error), or a refresh of `refresh_from`. Expiry is decided on the record, so callers
  /// that go on to wait for a refresh have decrypted nothing.
  struct AccessPlan {
    std::optional<Result<AccessGrant>> answer;
    AccessRecord refresh_from;
  };

  template <class P>
  AccessPlan plan_access(std::string_view tenant_id, std::string_view user_id, std::string_view integration_id,
                         bool force);

  template <class P>
  boost::asio::awaitable<Result<AccessGrant>> access(std::string tenant_id, std::string user_id,
                                                     std::string integration_id, bool force);

  /// The blocking form: only a refresh goes through the executor; a fresh token is read on
  /// the calling thread.
  template <class P>
  Result<AccessGrant> access_blocking(std::string_view tenant_id, std::string_view user_id,
                                      std::string_view integration_id, bool force);

  /// Records when a token was last handed out, to the manager's resolution: one write per
  /// integration per resolution at most, not one per call.
  template <class Record>
  void note_use(Record const& record);

  // ---- refresh (impl/manager/refresh.hpp) ---------------------------------------------

  /// One refresh for every caller that asks while it runs.
  template <Refreshable P>
  boost::asio::awaitable<Result<AccessGrant>> shared_refresh(AccessRecord record);

  template <class P, class Record>
  Error mark_needs_reauth(Record const& record, Error reason);

  /// One refresh of one integration, by this process while it holds the integration's
  /// lease. A token someone else refreshed meanwhile is used instead of refreshing again.
  template <Refreshable P>
  boost::asio::awaitable<Result<AccessGrant>> refresh_once(AccessRecord record);

  template <Refreshable P>
  boost::asio::awaitable<Result<AccessGrant>> refresh_leased(AccessRecord record);

  /// A replacement for the access token the provider just refused: the stored one if
  /// someone replaced it meanwhile, else a refresh shared with every caller that asks
  /// while it runs. A provider that cannot refresh, or a token a refresh cannot replace,
  /// leaves the integration needing reauthorization.
  template <class P>
  boost::asio::awaitable<Result<AccessGrant>> renew_rejected(std::string tenant_id, std::string user_id,
                                                             std::string integration_id, AccessToken rejected,
                                                             Error reason);

  /// The provider refused the integration's token for good: it needs reauthorization.
  template <class P>
  Error reject_token(std::string_view tenant_id, std::string_view user_id, std::string_view integration_id,
                     Error reason);

  // ---- disconnection (impl/manager/revoke.hpp) ----------------------------------------

  template <class P>
  boost::asio::awaitable<Result<Disconnection>> disconnect_impl(std::string tenant_id, std::string user_id,
                                                                std::string integration_id);

  // ---- validation (impl/manager/validate.hpp) -----------------------------------------

  template <class P>
  boost::asio::awaitable<Result<Validation>> validate_impl(std::string tenant_id, std::string user_id,
                                                           std::string integration_id);

  // ---- erasure (impl/manager/erase.hpp) -----------------------------------------------

  boost::asio::awaitable<Result<Erasure>> erase_impl(std::string tenant_id, std::string user_id);

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

// The operations' bodies. GCC 12 destroys a temporary argument in a co_await expression
// twice, so every such argument in them is a named local first.
#include <oauth/impl/manager/access.hpp>
#include <oauth/impl/manager/api.hpp>
#include <oauth/impl/manager/authorize.hpp>
#include <oauth/impl/manager/complete.hpp>
#include <oauth/impl/manager/configure.hpp>
#include <oauth/impl/manager/erase.hpp>
#include <oauth/impl/manager/records.hpp>
#include <oauth/impl/manager/refresh.hpp>
#include <oauth/impl/manager/revoke.hpp>
#include <oauth/impl/manager/validate.hpp>

#endif
