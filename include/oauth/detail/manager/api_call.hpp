#ifndef OAUTH_DETAIL_MANAGER_API_CALL_HPP
#define OAUTH_DETAIL_MANAGER_API_CALL_HPP

#include <oauth/api/request.hpp>
#include <oauth/manager/integration.hpp>
#include <oauth/provider_options.hpp>

#include <chrono>
#include <string>

namespace oauth::detail::manager {

/// One API call as its attempts share it: whose it is, what it sends where, the token it
/// sends, whether a refused token was renewed already, and how many sends it took.
struct ApiCall {
  std::string tenant_id;
  std::string user_id;
  std::string integration_id;
  ApiRequest request;
  std::string url;
  RateLimit limit;
  std::string gate_key;  ///< the credential the rate gate paces
  std::chrono::steady_clock::time_point deadline;
  AccessGrant grant = {};
  bool renewed = false;
  int sends = 0;
};

}  // namespace oauth::detail::manager

#endif
