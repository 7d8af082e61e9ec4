#ifndef OAUTH_IMPL_MANAGER_CONFIGURE_HPP
#define OAUTH_IMPL_MANAGER_CONFIGURE_HPP

// Making an engine and configuring its providers; the helpers every operation shares.

namespace oauth::detail::manager {

template <class V>
BasicEngine<V>::BasicEngine(boost::asio::any_io_executor executor, std::shared_ptr<store::StorePort> store, Send send,
                            ManagerOptions options, std::span<ProviderProfile const* const> providers)
    : executor_(std::move(executor)),
      store_(std::move(store)),
      send_(std::move(send)),
      options_(std::move(options)),
      holder_(oauth::crypto::random_token(12).value()),
      providers_(providers.begin(), providers.end()),
      configs_(providers.size()) {
  if (!store_->blocks()) return;
  if (options_.store_executor) {
    store_executor_ = *options_.store_executor;
  } else {
    store_pool_ = std::make_unique<boost::asio::thread_pool>(std::max(options_.store_threads, 1u));
    store_executor_ = store_pool_->get_executor();
  }
}

template <class V>
BasicEngine<V>::~BasicEngine() {
  // A refresh runs to its end though nobody waits for it any more, so that the tokens it
  // gets are stored; it uses this engine until then.
  if (!async::running_in_this_thread(executor_) && !async::stopped(executor_)) refreshes_.drain();
}

template <class V>
RefreshActivity BasicEngine<V>::refresh_activity() const {
  auto const now = refreshes_.activity();
  return {now.runs, now.callers};
}

template <class V>
Result<void> BasicEngine<V>::configure(std::size_t provider, ProviderConfig config) {
  auto const name = std::string(profile(provider).name);
  if (config.client_id.empty()) return Error(Errc::invalid_argument, name + ": client id is empty");
  if (config.redirect_uris.empty())
    return Error(Errc::invalid_argument, name + ": at least one redirect URI is required");
  for (auto const& uri : config.redirect_uris)
    if (auto problem = detail::http::redirect_uri_problem(uri))
      return Error(Errc::invalid_argument, name + ": a redirect URI " + std::string(*problem));
  if (!config.endpoint_base.empty() && !detail::http::parse_endpoint(config.endpoint_base))
    return Error(Errc::invalid_argument, name + ": endpoint base is not an absolute URL");
  if (auto saved = store_->save_scope_catalogue(name, scope_records(profile(provider))); !saved) return saved;
  std::lock_guard lock(config_mutex_);
  configs_[provider] = std::make_shared<ProviderConfig const>(std::move(config));
  return {};
}

template <class V>
Result<std::shared_ptr<ProviderConfig const>> BasicEngine<V>::config_for(std::size_t provider) const {
  std::lock_guard lock(config_mutex_);
  auto config = configs_[provider];
  if (!config) return Error(Errc::provider_not_configured, std::string(profile(provider).name));
  return config;
}

template <class V>
template <class F>
std::invoke_result_t<F&> BasicEngine<V>::atomically(oauth::store::Durability durability, F f) {
  std::optional<std::invoke_result_t<F&>> result;
  auto work = [&]() -> Result<void> {
    result.emplace(f());
    return {};
  };
  if (auto committed = store_->together(durability, oauth::store::UnitOfWork(work)); !committed)
    return committed.error();
  return std::move(*result);
}

template <class V>
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> BasicEngine<V>::atomically_async(oauth::store::Durability durability,
                                                                                  F f) {
  if (!store_executor_ || !store_->defers_together())
    co_return co_await stored([&] { return atomically(durability, std::move(f)); });
  std::optional<std::invoke_result_t<F&>> result;
  auto work = [&]() -> Result<void> {
    result.emplace(f());
    return {};
  };
  if (auto committed = co_await hand_over(*store_, durability, work, store_executor_); !committed)
    co_return committed.error();
  co_return std::move(*result);
}

template <class V>
void BasicEngine<V>::audit(AuditEvent event) {
  event.at = now();
  (void)store_->audit(std::move(event));
}

template <class V>
boost::asio::awaitable<Result<HttpResponse>> BasicEngine<V>::send(ProviderConfig const& config, HttpRequest request) {
  auto url = detail::http::rebase_url(request.url, config.endpoint_base);
  if (!url) co_return url.error();
  request.url = std::move(*url);
  co_return co_await send_(std::move(request));
}

template <class V>
boost::asio::awaitable<Result<HttpResponse>> BasicEngine<V>::send_with_retry(ProviderProfile const& provider,
                                                                             ProviderConfig const& config,
                                                                             HttpRequest request,
                                                                             std::string_view during) {
  auto const& policy = options_.retry;
  async::RetryLimits const limits{.max_attempts = policy.max_attempts,
                                  .initial_backoff = policy.initial_backoff,
                                  .max_backoff = policy.max_backoff,
                                  .max_wait = policy.max_backoff};
  auto attempt = [&](int) { return token_endpoint_attempt(provider, config, request, during); };
  auto retrying = async::with_retries<HttpResponse>(limits, attempt);
  co_return co_await std::move(retrying);
}

template <class V>
boost::asio::awaitable<async::Attempt<HttpResponse>> BasicEngine<V>::token_endpoint_attempt(
    ProviderProfile const& provider, ProviderConfig const& config, HttpRequest request, std::string_view during) {
  using Outcome = async::Attempt<HttpResponse>;
  auto response = co_await send(config, std::move(request));
  if (response && response->status != 429 && response->status != 529 && response->status < 500)
    co_return Outcome{std::move(response)};
  // A failed answer is still the answer: the caller reads the provider's error from it.
  auto const failure = response ? oauth::provider_error(provider.name, *response, during) : response.error();
  co_return Outcome{std::move(response), is_transient(failure), failure.retry_after};
}

}  // namespace oauth::detail::manager

#endif
