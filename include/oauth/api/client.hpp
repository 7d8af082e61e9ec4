#ifndef OAUTH_API_CLIENT_HPP
#define OAUTH_API_CLIENT_HPP

#include <oauth/api/request.hpp>
#include <oauth/detail/api/retry_status.hpp>
#include <oauth/detail/api/target.hpp>
#include <oauth/detail/async/backoff.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/detail/http/url.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/secret.hpp>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace oauth {

/// Calls one integration's provider API with its current access token: the token is
/// attached; a 401 gets one refresh (shared with every other caller of the integration)
/// and one retry, then the integration needs reauthorization; rate limits and passing
/// failures are retried as ManagerOptions::api_retry says; and requests are paced under
/// the credential's rate limit instead of running into the provider's.
///
/// Cheap to copy; it refers to its manager, which must outlive every call. Made by
/// `manager.client<P>(tenant, user, integration)`, which checks nothing: a call for an
/// integration that is not the caller's fails like get_access_token does.
template <class Manager, Provider P>
class AuthorizedClient {
public:
  using provider = P;

  AuthorizedClient(Manager& manager, std::string tenant_id, std::string user_id, std::string integration_id)
      : manager_(&manager),
        tenant_id_(std::move(tenant_id)),
        user_id_(std::move(user_id)),
        integration_id_(std::move(integration_id)) {}

  std::string_view integration_id() const noexcept { return integration_id_; }
  std::string_view tenant_id() const noexcept { return tenant_id_; }
  std::string_view user_id() const noexcept { return user_id_; }
  boost::asio::any_io_executor get_executor() const noexcept { return manager_->get_executor(); }

  /// Completes with `void(Result<ApiResponse>)`: a 2xx answer, or the error.
  template <class CompletionToken>
  auto async_send(ApiRequest request, CompletionToken&& token) const {
    return detail::async::spawn<ApiResponse>(manager_->get_executor(),
                                             call(manager_, tenant_id_, user_id_, integration_id_, std::move(request)),
                                             std::forward<CompletionToken>(token));
  }

  Result<ApiResponse> send(ApiRequest request) const {
    return detail::async::wait<ApiResponse>(manager_->get_executor(),
                                            call(manager_, tenant_id_, user_id_, integration_id_, std::move(request)));
  }

  /// The answer's body as JSON.
  template <class CompletionToken>
  auto async_json(ApiRequest request, CompletionToken&& token) const {
    return detail::async::spawn<boost::json::value>(manager_->get_executor(), json_call(std::move(request)),
                                                    std::forward<CompletionToken>(token));
  }

  Result<boost::json::value> json(ApiRequest request) const {
    return detail::async::wait<boost::json::value>(manager_->get_executor(), json_call(std::move(request)));
  }

private:
  boost::asio::awaitable<Result<boost::json::value>> json_call(ApiRequest request) const {
    auto response = co_await call(manager_, tenant_id_, user_id_, integration_id_, std::move(request));
    if (!response) co_return response.error();
    co_return response->json();
  }

  static HttpRequest with_token(ApiRequest const& request, std::string url, AccessToken const& token) {
    HttpRequest http{request.method, std::move(url), {}, request.body};
    http.headers.emplace_back("Authorization", "Bearer " + std::string(token.reveal()));
    http.headers.emplace_back("Accept", "application/json");
    for (auto const& header : request_headers<P>()) http.headers.emplace_back(header.name, header.value);
    for (auto const& [name, value] : request.headers)
      if (!boost::algorithm::iequals(name, "Authorization")) http.headers.emplace_back(name, value);
    return http;
  }

  static Error failed(Error error) {
    error.provider = P::name;
    return error;
  }

  // The coroutine owns copies of everything but the manager: the client may be gone
  // before it ends.
  static boost::asio::awaitable<Result<ApiResponse>> call(Manager* manager, std::string tenant_id,
                                                          std::string user_id, std::string integration_id,
                                                          ApiRequest request) {
    using Clock = std::chrono::steady_clock;
    auto& m = *manager;
    auto config = m.template config_for<P>();
    if (!config) co_return config.error();
    auto url = detail::api::resolve_target<P>(request.target, (*config)->endpoint_base);
    if (!url) co_return url.error();
    auto const& policy = m.options_.api_retry;
    auto const deadline = Clock::now() + policy.max_total;
    auto const limit = (*config)->api_rate_limit.value_or(api_rate_limit<P>());
    auto const gate_key = std::string(P::name) + ':' + integration_id;
    auto executor = co_await boost::asio::this_coro::executor;

    auto grant = co_await m.template access<P>(tenant_id, user_id, integration_id, false);
    if (!grant) co_return grant.error();
    bool renewed = false;
    int sends = 0;
    for (int attempt = 1;;) {
      if (auto const wait = m.rate_gates_.reserve(gate_key, limit, Clock::now()); wait > Clock::duration::zero()) {
        if (Clock::now() + wait > deadline)
          co_return failed(Error(Errc::rate_limited, std::string(P::name) + " API: the rate limit leaves no slot in time"));
        boost::asio::steady_timer timer(executor, wait);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      }
      auto http = with_token(request, *url, grant->access_token);
      auto response = co_await m.send_(std::move(http));
      ++sends;

      std::optional<Error> failure;
      if (!response) {
        failure = failed(response.error());
        // What happened to a request that was sent is unknown: only an idempotent one
        // may go again.
        if (!is_transient(*failure) || !is_idempotent(request.method)) co_return *failure;
      } else if (response->status >= 200 && response->status < 300) {
        co_return ApiResponse{response->status, std::move(response->headers), std::move(response->body), sends};
      } else if (response->status == 401) {
        auto rejected = provider_error<P>(*response, "API request");
        if (renewed) co_return m.template reject_token<P>(tenant_id, user_id, integration_id, std::move(rejected));
        renewed = true;
        auto next = co_await m.template renew_rejected<P>(tenant_id, user_id, integration_id, grant->access_token,
                                                          std::move(rejected));
        if (!next) co_return next.error();
        grant = std::move(next);
        continue;  // the retry after a refresh is not one of the attempts
      } else {
        failure = provider_error<P>(*response, "API request");
        auto const status = response->status;
        bool const retried = detail::api::retried_on_any_method(status) ||
                             (detail::api::retried_if_idempotent(status) && is_idempotent(request.method));
        if (!retried) co_return *failure;
      }
      if (attempt >= policy.max_attempts) co_return *failure;
      auto delay = detail::async::jittered_backoff(attempt, policy.initial_backoff, policy.max_backoff);
      if (failure->retry_after) delay = std::chrono::duration_cast<std::chrono::milliseconds>(*failure->retry_after);
      if (Clock::now() + delay > deadline) co_return *failure;
      boost::asio::steady_timer timer(executor, delay);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      ++attempt;
    }
  }

  Manager* manager_;
  std::string tenant_id_;
  std::string user_id_;
  std::string integration_id_;
};

}  // namespace oauth

#endif
