#ifndef OAUTH_IMPL_MANAGER_API_HPP
#define OAUTH_IMPL_MANAGER_API_HPP

// A call of a provider's API as one integration.

namespace oauth::detail::manager {

template <class V>
Result<ApiResponse> BasicEngine<V>::api_call_blocking(std::size_t provider, std::string tenant_id, std::string user_id,
                                                      std::string integration_id, ApiRequest request) {
  return async::wait<ApiResponse>(executor_, api_call(provider, std::move(tenant_id), std::move(user_id),
                                                      std::move(integration_id), std::move(request)));
}

template <class V>
boost::asio::awaitable<Result<ApiResponse>> BasicEngine<V>::api_call(std::size_t provider, std::string tenant_id,
                                                                     std::string user_id, std::string integration_id,
                                                                     ApiRequest request) {
  auto const& p = profile(provider);
  auto config = config_for(provider);
  if (!config) co_return config.error();
  auto url = api::resolve_target(p, request.target, (*config)->endpoint_base);
  if (!url) co_return url.error();
  auto const& policy = options_.api_retry;
  auto const deadline = std::chrono::steady_clock::now() + policy.max_total;
  auto grant = co_await access(provider, tenant_id, user_id, integration_id, false);
  if (!grant) co_return grant.error();

  auto gate_key = "api:" + std::string(p.name) + ':' + integration_id;
  ApiCall call{std::move(tenant_id), std::move(user_id), std::move(integration_id),
               std::move(request),   std::move(*url),    (*config)->api_rate_limit.value_or(p.api_rate_limit),
               std::move(gate_key),  deadline,           std::move(*grant)};
  async::RetryLimits const limits{.max_attempts = policy.max_attempts,
                                  .initial_backoff = policy.initial_backoff,
                                  .max_backoff = policy.max_backoff,
                                  .deadline = deadline};
  auto attempt = [&](int) { return api_attempt(provider, call); };
  auto retrying = async::with_retries<ApiResponse>(limits, attempt);
  co_return co_await std::move(retrying);
}

template <class V>
boost::asio::awaitable<async::Attempt<ApiResponse>> BasicEngine<V>::api_attempt(std::size_t provider, ApiCall& call) {
  auto const& p = profile(provider);
  using Clock = std::chrono::steady_clock;
  using Outcome = async::Attempt<ApiResponse>;
  auto failed = [&p](Error error) {
    error.provider = p.name;
    return error;
  };
  auto executor = co_await boost::asio::this_coro::executor;
  while (true) {
    auto waiting = api_slot_wait(call);
    if (auto const wait = co_await std::move(waiting); wait > Clock::duration::zero()) {
      if (Clock::now() + wait > call.deadline)
        co_return Outcome{
            failed(Error(Errc::rate_limited, std::string(p.name) + " API: the rate limit leaves no slot in time"))};
      if (async::cancelled(co_await boost::asio::this_coro::cancellation_state))
        co_return Outcome{async::aborted(std::string(p.name) + " API request")};
      boost::asio::steady_timer timer(executor, wait);
      auto [cancelled] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (cancelled) co_return Outcome{async::aborted(std::string(p.name) + " API request")};
    }
    auto http = api::authorized_request(p, call.request, call.url, call.grant.access_token);
    auto response = co_await send_(std::move(http));
    ++call.sends;

    if (!response) {
      auto failure = failed(response.error());
      // What happened to a request that was sent is unknown: only an idempotent one may
      // go again.
      bool const retryable = is_transient(failure) && is_idempotent(call.request.method);
      co_return Outcome{std::move(failure), retryable};
    }
    auto const status = response->status;
    if (status >= 200 && status < 300)
      co_return Outcome{ApiResponse{status, std::move(response->headers), std::move(response->body), call.sends}};
    if (status == 401) {
      auto rejected = oauth::provider_error(p.name, *response, "API request");
      if (call.renewed) {
        auto rejecting =
            stored([&] { return reject_token(p.name, call.tenant_id, call.user_id, call.integration_id, rejected); });
        auto for_good = co_await std::move(rejecting);
        co_return Outcome{std::move(for_good)};
      }
      call.renewed = true;
      auto next = co_await renew_rejected(provider, call.tenant_id, call.user_id, call.integration_id,
                                          call.grant.access_token, std::move(rejected));
      if (!next) co_return Outcome{next.error()};
      call.grant = std::move(*next);
      continue;  // the send after a refresh is part of this attempt, not another one
    }
    auto failure = oauth::provider_error(p.name, *response, "API request");
    bool const retryable = api::retried_on_any_method(status) ||
                           (api::retried_if_idempotent(status) && is_idempotent(call.request.method));
    auto const retry_after = failure.retry_after;
    co_return Outcome{std::move(failure), retryable, retry_after};
  }
}

template <class V>
boost::asio::awaitable<std::chrono::steady_clock::duration> BasicEngine<V>::api_slot_wait(ApiCall const& call) {
  using oauth::store::SlotRequest;
  auto const spacing = oauth::store::RateSpacing::of(call.limit);
  if (!spacing.limits()) co_return std::chrono::steady_clock::duration::zero();
  if (store_->shares_rate_slots()) {
    auto reserving = stored([&] { return store_->reserve_rate_slot(call.gate_key, spacing, SlotRequest::reserve); });
    if (auto slot = co_await std::move(reserving)) co_return slot->wait;
  }
  co_return rate_gates_.slot(call.gate_key, spacing, SlotRequest::reserve, std::chrono::steady_clock::now()).wait;
}

}  // namespace oauth::detail::manager

#endif
