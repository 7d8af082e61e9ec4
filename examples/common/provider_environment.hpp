#ifndef OAUTH_EXAMPLES_PROVIDER_ENVIRONMENT_HPP
#define OAUTH_EXAMPLES_PROVIDER_ENVIRONMENT_HPP

// A provider's registration as the example programs read it from the environment:
// OAUTH_<NAME>_CLIENT_ID, OAUTH_<NAME>_CLIENT_SECRET and OAUTH_<NAME>_ENDPOINT_BASE.

#include <oauth/secret.hpp>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace oauth::examples {

struct ProviderSettings {
  std::string client_id;
  ClientSecret client_secret;
  std::string endpoint_base;  ///< another host for every endpoint: a mock, a proxy
};

inline std::string environment_prefix(std::string_view provider) {
  std::string prefix = "OAUTH_";
  for (char c : provider) prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return prefix + "_";
}

/// Whichever of the three variables are set, or nothing when none is.
inline std::optional<ProviderSettings> provider_from_environment(std::string_view provider) {
  auto const prefix = environment_prefix(provider);
  auto read = [&](char const* what) -> std::optional<std::string> {
    char const* value = std::getenv((prefix + what).c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
  auto id = read("CLIENT_ID");
  auto secret = read("CLIENT_SECRET");
  auto base = read("ENDPOINT_BASE");
  if (!id && !secret && !base) return std::nullopt;
  return ProviderSettings{id.value_or(""), ClientSecret(secret.value_or("")), base.value_or("")};
}

}  // namespace oauth::examples

#endif
