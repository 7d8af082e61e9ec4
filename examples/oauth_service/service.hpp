#ifndef OAUTH_SERVICE_SERVICE_HPP
#define OAUTH_SERVICE_SERVICE_HPP

// The REST service: routes, who may call them, and what each does with the library's
// Manager and TokenStore. Every answer passes through one place that adds the request
// id, the security and CORS headers, the access-log line and the metrics.

#include "access_log.hpp"
#include "config.hpp"
#include "http_server.hpp"
#include "http_types.hpp"
#include "metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace oauth::service {

/// Who may call a route: anyone, a user with a bearer token, or another server with a
/// server-to-server token.
enum class Access { open, user, server };

struct RouteInfo {
  std::string method;
  std::string path;
  Access access;
};

class Service {
public:
  /// Opens the store and configures the providers; the reason when that fails.
  static std::variant<std::unique_ptr<Service>, std::string> open(ServiceConfig config,
                                                                  boost::asio::any_io_executor executor, AccessLog& log,
                                                                  Metrics& metrics);
  ~Service();

  boost::asio::awaitable<Response> handle(Request request, Peer peer);
  Response refused(Refusal const& refusal, Peer const& peer);

  /// Every route the service answers, as the OpenAPI document must list them.
  static std::vector<RouteInfo> routes();

private:
  struct Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace oauth::service

#endif
