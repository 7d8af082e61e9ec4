#include "../support/test_providers.hpp"

#include <oauth/protocol/endpoint_request.hpp>

// A provider whose tokens cannot be refreshed has no refresh request.
auto request(oauth::ClientCredentials const& client, oauth::RefreshToken const& token) {
  return oauth::refresh_request<oauth::test::StaticTokenProvider>(client, token);
}
