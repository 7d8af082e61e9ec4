#ifndef OAUTH_SERVICE_ASSETS_HPP
#define OAUTH_SERVICE_ASSETS_HPP

// Files built into the service (assets/): the connect page and the OpenAPI document.

#include <string_view>

namespace oauth::service {

struct Asset {
  std::string_view content_type;
  std::string_view body;
};

/// The asset called `name` ("connect.html", "openapi.json"), or nullptr.
Asset const* find_asset(std::string_view name);

}  // namespace oauth::service

#endif
