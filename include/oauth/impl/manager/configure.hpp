#ifndef OAUTH_IMPL_MANAGER_CONFIGURE_HPP
#define OAUTH_IMPL_MANAGER_CONFIGURE_HPP

// Making a manager and configuring its providers; the helpers every operation shares.

namespace oauth {

template <class... Ps>
template <StoreBackend Backend>
Manager<Ps...>::Manager(boost::asio::any_io_executor executor, TokenStore<Backend>& store, ManagerOptions options)
    : Manager(executor, store, HttpsTransport(executor), std::move(options)) {}

template <class... Ps>
template <StoreBackend Backend, Transport T>
Manager<Ps...>::Manager(boost::asio::any_io_executor executor, TokenStore<Backend>& store, T transport,
                        ManagerOptions options)
    : executor_(std::move(executor)),
      store_(std::make_shared<detail::manager::StoreAdapter<Backend>>(store)),
      send_([t = std::make_shared<T>(std::move(transport))](HttpRequest request) {
        return t->async_send(std::move(request), boost::asio::use_awaitable);
      }),
      options_(std::move(options)),
      holder_(crypto::random_token(12).value()) {
  // Names route callbacks and stored integrations: Microsoft<"common"> and
  // Microsoft<"contoso"> in one manager would share them.
  static_assert(std::ranges::all_of(provider_names, [](auto n) { return std::ranges::count(provider_names, n) == 1; }),
                "oauth Manager: two providers share a name");
}

template <class... Ps>
template <class P>
Result<void> Manager<Ps...>::configure(ProviderConfig config) {
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

template <class... Ps>
template <class F>
bool Manager<Ps...>::visit_provider(std::string_view name, F&& f) const {
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

template <class... Ps>
template <class P>
Result<std::shared_ptr<ProviderConfig const>> Manager<Ps...>::config_for() const {
  std::lock_guard lock(config_mutex_);
  auto config = configs_[index<P>() < sizeof...(Ps) ? index<P>() : 0];
  if (!config) return Error(Errc::provider_not_configured, std::string(P::name));
  return config;
}

template <class... Ps>
void Manager<Ps...>::audit(AuditEvent event) {
  event.at = now();
  (void)store_->audit(std::move(event));
}

template <class... Ps>
template <class P>
boost::asio::awaitable<Result<HttpResponse>> Manager<Ps...>::send(ProviderConfig const& config, HttpRequest request) {
  auto url = detail::http::rebase_url(request.url, config.endpoint_base);
  if (!url) co_return url.error();
  request.url = std::move(*url);
  co_return co_await send_(std::move(request));
}

template <class... Ps>
template <class P>
boost::asio::awaitable<Result<HttpResponse>> Manager<Ps...>::send_with_retry(ProviderConfig const& config,
                                                                             HttpRequest request,
                                                                             std::string_view during) {
  auto const& policy = options_.retry;
  detail::async::RetryLimits const limits{.max_attempts = policy.max_attempts,
                                          .initial_backoff = policy.initial_backoff,
                                          .max_backoff = policy.max_backoff,
                                          .max_wait = policy.max_backoff};
  auto attempt = [&](int) { return token_endpoint_attempt<P>(config, request, during); };
  auto retrying = detail::async::with_retries<HttpResponse>(limits, attempt);
  co_return co_await std::move(retrying);
}

template <class... Ps>
template <class P>
boost::asio::awaitable<detail::async::Attempt<HttpResponse>> Manager<Ps...>::token_endpoint_attempt(
    ProviderConfig const& config, HttpRequest request, std::string_view during) {
  using Outcome = detail::async::Attempt<HttpResponse>;
  auto response = co_await send<P>(config, std::move(request));
  if (response && response->status != 429 && response->status != 529 && response->status < 500)
    co_return Outcome{std::move(response)};
  // A failed answer is still the answer: the caller reads the provider's error from it.
  auto const failure = response ? provider_error<P>(*response, during) : response.error();
  co_return Outcome{std::move(response), is_transient(failure), failure.retry_after};
}

}  // namespace oauth

#endif
