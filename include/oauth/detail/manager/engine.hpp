#ifndef OAUTH_DETAIL_MANAGER_ENGINE_HPP
#define OAUTH_DETAIL_MANAGER_ENGINE_HPP

#include <oauth/api/request.hpp>
#include <oauth/clock.hpp>
#include <oauth/detail/async/offload.hpp>
#include <oauth/detail/async/rate_gate.hpp>
#include <oauth/detail/async/single_flight.hpp>
#include <oauth/detail/config.hpp>
#include <oauth/detail/manager/api_call.hpp>
#include <oauth/detail/manager/handed_over_transaction.hpp>
#include <oauth/detail/store/store_port.hpp>
#include <oauth/error.hpp>
#include <oauth/http/message.hpp>
#include <oauth/manager/flow.hpp>
#include <oauth/manager/integration.hpp>
#include <oauth/manager/options.hpp>
#include <oauth/provider_profile.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>

#include <openssl/crypto.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace oauth {
struct TokenResponse;
}

namespace oauth::detail::async {
template <class T>
struct Attempt;
}

namespace oauth::detail::manager {

using Send = std::function<boost::asio::awaitable<Result<HttpResponse>>(HttpRequest)>;

/// An authorization made but not yet saved: its state, PKCE and configuration.
struct FlowDraft {
  std::shared_ptr<ProviderConfig const> config;
  FlowState flow;
  std::optional<std::string> code_challenge;
};

/// Everything Manager<Ps...> does, for providers known by their profiles and named by
/// their place in the manager's list: the same code for every set of providers, so the
/// compiled mode builds it once (oauth/src.hpp) and a program's own files only call it.
/// Manager keeps what is a compile-time fact (which providers, what each can do); the
/// engine is told only of listed providers, for the operations they have.
///
/// A class template only so that a header-only program compiles just the operations it
/// uses; Engine is its one instance.
template <class = void>
class BasicEngine {
public:
  /// In place of a provider: whichever of the manager's the integration is with.
  static constexpr std::size_t any_provider = static_cast<std::size_t>(-1);

  BasicEngine(boost::asio::any_io_executor executor, std::shared_ptr<store::StorePort> store, Send send,
              ManagerOptions options, std::span<ProviderProfile const* const> providers);
  // Out of line, so that only the engine's instance defines it. An implicit destructor
  // is inline, and gcovr will not merge its records: their lines differ between files.
  ~BasicEngine();
  BasicEngine(BasicEngine const&) = delete;
  BasicEngine& operator=(BasicEngine const&) = delete;
  BasicEngine(BasicEngine&&) = delete;
  BasicEngine& operator=(BasicEngine&&) = delete;

  boost::asio::any_io_executor get_executor() const noexcept { return executor_; }
  /// Where blocking store calls run: the store executor when the store blocks, the
  /// manager's own when it never does.
  boost::asio::any_io_executor store_executor() const noexcept { return store_executor_ ? store_executor_ : executor_; }
  ManagerOptions const& options() const noexcept { return options_; }
  RefreshActivity refresh_activity() const;

  Result<void> configure(std::size_t provider, ProviderConfig config);
  Result<FlowStart> initiate_flow(std::size_t provider, FlowRequest const& request);
  /// initiate_flow, its state saved with nothing held waiting for the store: where the
  /// store lines transactions up for a commit, the state's joins the line
  /// (atomically_async).
  boost::asio::awaitable<Result<FlowStart>> initiate_flow_async(std::size_t provider, FlowRequest request);
  Result<ScopeCoverage> scope_coverage(std::size_t provider, std::string_view tenant_id, std::string_view user_id,
                                       std::vector<std::string_view> const& wanted);

  boost::asio::awaitable<Result<Integration>> complete(std::size_t provider, FlowCallback callback);
  Result<Integration> complete_blocking(std::size_t provider, FlowCallback callback);

  boost::asio::awaitable<Result<AccessGrant>> access(std::size_t provider, std::string tenant_id, std::string user_id,
                                                     std::string integration_id, bool force);
  /// access() for a coroutine that awaits it with use_awaitable: a fresh token from a
  /// store that never blocks is read in the awaiting coroutine itself, with no coroutine
  /// spawned (nothing waits, so there is nothing to cancel); whatever waits runs as
  /// async::spawn runs it, cancellable (terminal, partial).
  boost::asio::awaitable<Result<AccessGrant>> access_here(std::size_t provider, std::string tenant_id,
                                                          std::string user_id, std::string integration_id, bool force);
  /// Only a refresh goes through the executor; a fresh token is read on the calling thread.
  Result<AccessGrant> access_blocking(std::size_t provider, std::string_view tenant_id, std::string_view user_id,
                                      std::string_view integration_id, bool force);

  boost::asio::awaitable<Result<Disconnection>> disconnect(std::size_t provider, std::string tenant_id,
                                                           std::string user_id, std::string integration_id);
  Result<Disconnection> disconnect_blocking(std::size_t provider, std::string tenant_id, std::string user_id,
                                            std::string integration_id);

  boost::asio::awaitable<Result<Validation>> validate(std::size_t provider, std::string tenant_id, std::string user_id,
                                                      std::string integration_id);
  Result<Validation> validate_blocking(std::size_t provider, std::string tenant_id, std::string user_id,
                                       std::string integration_id);

  /// A call of the provider's API as one integration, its token attached, renewed once
  /// when refused, paced, and retried as ManagerOptions::api_retry says. Owns copies of
  /// everything it uses but the engine.
  boost::asio::awaitable<Result<ApiResponse>> api_call(std::size_t provider, std::string tenant_id, std::string user_id,
                                                       std::string integration_id, ApiRequest request);
  Result<ApiResponse> api_call_blocking(std::size_t provider, std::string tenant_id, std::string user_id,
                                        std::string integration_id, ApiRequest request);

  boost::asio::awaitable<Result<Erasure>> erase_user(std::string tenant_id, std::string user_id);
  Result<Erasure> erase_user_blocking(std::string tenant_id, std::string user_id);

  Result<std::vector<CachedResource>> cached_resources(std::string_view tenant_id, std::string_view user_id,
                                                       std::string_view integration_id, std::string_view kind);
  Result<void> replace_cached_resources(std::string_view tenant_id, std::string_view user_id,
                                        std::string_view integration_id, std::string_view kind,
                                        std::vector<CachedResource> resources);
  Result<std::vector<Integration>> integrations(std::string_view tenant_id, std::string_view user_id);
  Result<Integration> integration(std::string_view tenant_id, std::string_view user_id, std::string_view id);
  Result<std::vector<ConsentRecord>> consents(std::string_view tenant_id, std::string_view user_id);
  Result<std::vector<AuditEvent>> audit_log(std::string_view tenant_id, std::string_view user_id);
  Result<AuditPage> audit_page(std::string_view tenant_id, std::string_view user_id, AuditQuery query);
  Result<boost::json::object> export_user_data(std::string_view tenant_id, std::string_view user_id);

  /// `f()`, a call of the store or a synchronous operation above, where it may block: on
  /// the store executor when the store blocks (ManagerOptions::store_executor), here when
  /// it never does. Defined here, not with the operations, so that the manager's async_
  /// forms of the synchronous operations instantiate it in compiled mode too.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> stored(F f) {
    if (store_executor_) co_return co_await async::offload(store_executor_, std::move(f));
    co_return f();
  }

private:
  // ---- shared by every operation (impl/manager/configure.hpp) -------------------------

  ProviderProfile const& profile(std::size_t provider) const noexcept { return *providers_[provider]; }
  /// The provider's index, or any_provider when the manager has none of that name.
  std::size_t provider_named(std::string_view name) const noexcept;
  TimePoint now() const { return options_.clock(); }
  Result<std::shared_ptr<ProviderConfig const>> config_for(std::size_t provider) const;
  void audit(AuditEvent event);

  /// `f()`: the store calls of one change and the audit rows that describe it, as one
  /// transaction (TokenStore::together). What `f` returns, or why the transaction failed.
  /// `f` may run twice (a connection found broken before the commit): it copies what it
  /// passes on.
  template <class F>
  std::invoke_result_t<F&> atomically(oauth::store::Durability durability, F f);
  /// atomically(), awaited: a store that lines transactions up for a commit
  /// (TokenStore::defers_together) is handed `f` whole, and no thread waits for it
  /// meanwhile; any other runs it where its blocking calls run (stored). Not cancellable.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> atomically_async(oauth::store::Durability durability, F f);
  static void wipe(std::string& s) noexcept { OPENSSL_cleanse(s.data(), s.size()); }
  boost::asio::awaitable<Result<HttpResponse>> send(ProviderConfig const& config, HttpRequest request);

  /// Sends to a provider's token, userinfo or revocation endpoint, retrying passing
  /// failures as ManagerOptions::retry says.
  boost::asio::awaitable<Result<HttpResponse>> send_with_retry(ProviderProfile const& provider,
                                                               ProviderConfig const& config, HttpRequest request,
                                                               std::string_view during);
  boost::asio::awaitable<async::Attempt<HttpResponse>> token_endpoint_attempt(ProviderProfile const& provider,
                                                                              ProviderConfig const& config,
                                                                              HttpRequest request,
                                                                              std::string_view during);

  // ---- starting an authorization (impl/manager/authorize.hpp) ---------------------------

  Result<FlowDraft> draft_flow(std::size_t provider, FlowRequest const& request);
  /// In the state's transaction: the URL, the state saved, and its audit row.
  Result<std::string> save_flow(std::size_t provider, FlowDraft const& draft, FlowRequest const& request);

  // ---- the API (impl/manager/api.hpp) -------------------------------------------------

  boost::asio::awaitable<async::Attempt<ApiResponse>> api_attempt(std::size_t provider, ApiCall& call);
  /// How long the call waits for its slot under the credential's API rate: a slot of the
  /// store's bucket when the store keeps them for every process, so that all instances
  /// pace together; of this process's otherwise, or when the store cannot answer.
  boost::asio::awaitable<std::chrono::steady_clock::duration> api_slot_wait(ApiCall const& call);

  // ---- the callback (impl/manager/complete.hpp) ---------------------------------------

  /// The callback's steps, `event` filled in as they learn who and what; complete()
  /// audits a failure.
  boost::asio::awaitable<Result<Integration>> connect(std::size_t provider, FlowCallback callback, AuditEvent& event);
  boost::asio::awaitable<Result<UserInfo>> identify(ProviderProfile const& provider, ProviderConfig const& config,
                                                    TokenResponse const& tokens);
  static IssuedTokens issued_tokens(TokenResponse tokens, std::vector<std::string> const& requested, TimePoint at);

  // ---- access tokens (impl/manager/access.hpp) ----------------------------------------

  /// Refresh when the token expires within the leeway, capped at half its lifetime.
  template <class Record>
  bool due_for_refresh(Record const& record, TimePoint at) const;

  static AccessGrant grant(Credential const& credential, bool refreshed);
  static AccessGrant grant(AccessRecord&& record, AccessToken token);

  /// The integration (whole, or what a token needs), if it is this user's in this tenant
  /// and the provider's. The store refuses and audits another owner's; this refuses the
  /// owner's own under the wrong provider, or disconnected, and audits that.
  template <class Record>
  Result<Record> owned(std::string_view provider, Result<Record> record, std::string_view tenant_id,
                       std::string_view user_id, std::string_view integration_id);

  /// owned() in place: `record` becomes the refusal when it is not the provider's.
  template <class Record>
  void keep_if_owned(std::string_view provider, Result<Record>& record, std::string_view tenant_id,
                     std::string_view user_id, std::string_view integration_id);

  /// What a token request needs: an answer found without the network (a fresh token, an
  /// error), or a refresh of the record. Expiry is decided on the record, so callers
  /// that go on to wait for a refresh have decrypted nothing. One or the other, in one
  /// place: a coroutine keeps the plan in its frame, which Asio recycles only up to 1 KiB.
  struct AccessPlan {
    std::variant<Result<AccessGrant>, AccessRecord> next;
    std::size_t provider = any_provider;  ///< the integration's, once its record is read

    Result<AccessGrant>* answer() noexcept { return std::get_if<Result<AccessGrant>>(&next); }
    AccessRecord take_refresh_from() { return std::get<AccessRecord>(std::move(next)); }
  };

  AccessPlan plan_access(std::size_t provider, std::string_view tenant_id, std::string_view user_id,
                         std::string_view integration_id, bool force);

  /// Records when a token was last handed out, to the manager's resolution: one write per
  /// integration per resolution at most, not one per call.
  template <class Record>
  void note_use(Record const& record, TimePoint at);

  // ---- refresh (impl/manager/refresh.hpp) ---------------------------------------------

  /// One refresh for every caller that asks while it runs.
  boost::asio::awaitable<Result<AccessGrant>> shared_refresh(std::size_t provider, AccessRecord record);

  template <class Record>
  Error mark_needs_reauth(std::string_view provider, Record const& record, Error reason);

  /// One refresh of one integration, by this process while it holds the integration's
  /// lease. A token someone else refreshed meanwhile is used instead of refreshing again.
  boost::asio::awaitable<Result<AccessGrant>> refresh_once(std::size_t provider, AccessRecord record);
  /// The lease taken, and the credential as it stands once it is: one transaction. No
  /// credential when another holds the lease.
  boost::asio::awaitable<Result<std::optional<Credential>>> lease_latest(AccessRecord const& record);
  /// The refresh, under the lease, of `latest`, read when the lease was taken. The new
  /// tokens are stored and the lease released in one transaction; `lease_released` says
  /// whether that happened.
  boost::asio::awaitable<Result<AccessGrant>> refresh_leased(std::size_t provider, AccessRecord const& record,
                                                             Credential latest, bool& lease_released);

  /// A replacement for the access token the provider just refused: the stored one if
  /// someone replaced it meanwhile, else a refresh shared with every caller that asks
  /// while it runs. A provider that cannot refresh, or a token a refresh cannot replace,
  /// leaves the integration needing reauthorization.
  boost::asio::awaitable<Result<AccessGrant>> renew_rejected(std::size_t provider, std::string tenant_id,
                                                             std::string user_id, std::string integration_id,
                                                             AccessToken rejected, Error reason);

  /// The provider refused the integration's token for good: it needs reauthorization.
  Error reject_token(std::string_view provider, std::string_view tenant_id, std::string_view user_id,
                     std::string_view integration_id, Error reason);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<store::StorePort> store_;
  Send send_;
  ManagerOptions options_;
  std::string holder_;  ///< this manager's name on refresh leases
  std::vector<ProviderProfile const*> providers_;
  mutable std::mutex config_mutex_;
  std::vector<std::shared_ptr<ProviderConfig const>> configs_;
  async::SingleFlight<AccessGrant> refreshes_;
  async::RateGates rate_gates_;  ///< API request pacing, per credential, when the store keeps none
  /// Where blocking store calls run: empty when the store never blocks. Declared last, so
  /// that the pool the engine may own is joined before anything its calls use is gone.
  boost::asio::any_io_executor store_executor_;
  std::unique_ptr<boost::asio::thread_pool> store_pool_;
};

using Engine = BasicEngine<>;

#if defined(OAUTH_SEPARATE_COMPILATION)
extern template class BasicEngine<void>;
#endif

}  // namespace oauth::detail::manager

#if defined(OAUTH_HEADER_ONLY)
#include <oauth/impl/manager/engine.ipp>
#endif

#endif
