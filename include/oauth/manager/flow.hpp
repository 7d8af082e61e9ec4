#ifndef OAUTH_MANAGER_FLOW_HPP
#define OAUTH_MANAGER_FLOW_HPP

#include <oauth/secret.hpp>
#include <oauth/store/records.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oauth {

/// Starting an authorization: who asks, for what, and where the provider sends them back.
struct FlowRequest {
  std::string tenant_id = {};
  std::string user_id = {};
  std::string session_id = {};  ///< the caller's browser session: the callback must come from it
  std::vector<std::string> scopes = {};
  std::string redirect_uri = {};  ///< one of the provider's configured redirect URIs, exactly
  std::vector<std::pair<std::string, std::string>> extra_params = {};  ///< login_hint, prompt, ...
};

/// Where to send the user's browser, and the state that ties the callback to this request.
struct FlowStart {
  std::string authorization_url = {};
  std::string state = {};
  TimePoint expires_at = {};
};

/// What arrived on the redirect URI, and from whom.
struct FlowCallback {
  std::string state = {};
  AuthorizationCode code = {};
  std::string error = {};               ///< the provider's `error` parameter (access_denied when the user said no)
  std::string error_description = {};   ///< its words for it, kept (made printable) for the log
  std::optional<std::string> iss = {};  ///< RFC 9207's `iss` parameter, when the response has one
  std::string session_id = {};
  std::string client_ip = {};
  std::string user_agent = {};
};

}  // namespace oauth

#endif
