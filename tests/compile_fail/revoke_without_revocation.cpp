#include <oauth/protocol/endpoint_request.hpp>
#include <oauth/providers/microsoft.hpp>

// Microsoft has no revocation endpoint, so there is no revocation request to build.
auto request(oauth::ClientCredentials const& client) {
  return oauth::revocation_request<oauth::providers::Microsoft<>>(client, "token", oauth::TokenTypeHint::refresh_token);
}
