#ifndef OAUTH_SERVICE_TIMED_TRANSPORT_HPP
#define OAUTH_SERVICE_TIMED_TRANSPORT_HPP

// The library's HTTPS transport with each exchange timed into the service's metrics, by
// the provider's host: how long the providers take, beside how long the service does.

#include "metrics.hpp"

#include <oauth/http.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <string>
#include <utility>

namespace oauth::service {

class TimedTransport {
public:
  TimedTransport(HttpsTransport inner, Metrics& metrics) : inner_(std::move(inner)), metrics_(&metrics) {}

  /// Completion signature: `void(Result<HttpResponse>)`. Cancellation: terminal, as
  /// HttpsTransport's.
  boost::asio::awaitable<Result<HttpResponse>> async_send(HttpRequest request, boost::asio::use_awaitable_t<>) {
    auto const host = host_of(request.url);
    auto const started = std::chrono::steady_clock::now();
    auto sending = inner_.async_send(std::move(request), boost::asio::use_awaitable);
    auto answered = co_await std::move(sending);
    metrics_->observe_provider_request(host, std::chrono::steady_clock::now() - started);
    co_return answered;
  }

  /// `host:port` as the URL gives it: the label of a provider's exchanges.
  static std::string host_of(std::string const& url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || !parsed->has_authority()) return "unknown";
    return std::string(parsed->encoded_host_and_port());
  }

private:
  HttpsTransport inner_;
  Metrics* metrics_;
};

static_assert(Transport<TimedTransport>);

}  // namespace oauth::service

#endif
