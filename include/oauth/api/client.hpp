#ifndef OAUTH_API_CLIENT_HPP
#define OAUTH_API_CLIENT_HPP

#include <oauth/api/request.hpp>
#include <oauth/completion_token.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

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

  /// A 2xx answer, or the error.
  ///
  /// Completion signature: `void(Result<ApiResponse>)`.
  ///
  /// Cancellation: terminal. The request may have reached the provider; a refresh it
  /// waited for goes on and is stored.
  template <CompletionTokenFor<ApiResponse> CompletionToken = DefaultCompletionToken>
  auto async_send(ApiRequest request, CompletionToken&& token = {}) const {
    return detail::async::spawn<ApiResponse>(manager_->get_executor(), call(std::move(request)),
                                             boost::asio::cancellation_type::terminal,
                                             std::forward<CompletionToken>(token));
  }

  Result<ApiResponse> send(ApiRequest request) const {
    return manager_->template api_call_blocking<P>(tenant_id_, user_id_, integration_id_, std::move(request));
  }

  /// The answer's body as JSON.
  ///
  /// Completion signature: `void(Result<boost::json::value>)`.
  ///
  /// Cancellation: terminal, as for async_send.
  template <CompletionTokenFor<boost::json::value> CompletionToken = DefaultCompletionToken>
  auto async_json(ApiRequest request, CompletionToken&& token = {}) const {
    return detail::async::spawn<boost::json::value>(manager_->get_executor(), json_call(std::move(request)),
                                                    boost::asio::cancellation_type::terminal,
                                                    std::forward<CompletionToken>(token));
  }

  Result<boost::json::value> json(ApiRequest request) const {
    return detail::async::wait<boost::json::value>(manager_->get_executor(), json_call(std::move(request)));
  }

private:
  // The manager's coroutine owns copies of everything but the manager: the client may be
  // gone before it ends.
  boost::asio::awaitable<Result<ApiResponse>> call(ApiRequest request) const {
    return manager_->template api_call<P>(tenant_id_, user_id_, integration_id_, std::move(request));
  }

  boost::asio::awaitable<Result<boost::json::value>> json_call(ApiRequest request) const {
    auto calling = call(std::move(request));
    auto response = co_await std::move(calling);
    if (!response) co_return response.error();
    co_return response->json();
  }

  Manager* manager_;
  std::string tenant_id_;
  std::string user_id_;
  std::string integration_id_;
};

}  // namespace oauth

#endif
