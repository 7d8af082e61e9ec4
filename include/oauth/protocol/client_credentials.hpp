#ifndef OAUTH_PROTOCOL_CLIENT_CREDENTIALS_HPP
#define OAUTH_PROTOCOL_CLIENT_CREDENTIALS_HPP

#include <oauth/secret.hpp>

#include <string>

namespace oauth {

/// The application's registration at a provider.
struct ClientCredentials {
  std::string client_id;
  ClientSecret client_secret;
};

}  // namespace oauth

#endif
