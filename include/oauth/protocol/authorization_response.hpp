#ifndef OAUTH_PROTOCOL_AUTHORIZATION_RESPONSE_HPP
#define OAUTH_PROTOCOL_AUTHORIZATION_RESPONSE_HPP

#include <oauth/detail/protocol/issuer.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_profile.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauth {

/// Who an authorization response must come from (RFC 9207): the issuer, and whether the
/// provider promised to name itself in every response.
struct ExpectedIssuer {
  std::string_view issuer = {};  ///< empty: the provider names none, so no `iss` is its
  bool promised = false;         ///< a response without `iss` is refused
};

/// Whether `iss` names `expected`, compared as RFC 9207 section 2.4 asks: character for
/// character, without normalising case, slashes or ports. A `{tenantid}` in `expected`
/// stands for one directory id (a lowercase GUID), as in Microsoft's metadata.
inline bool issuer_matches(std::string_view expected, std::string_view iss) noexcept {
  namespace ar = detail::authorization_response;
  auto const at = expected.find(ar::tenant_placeholder);
  if (at == std::string_view::npos) return !expected.empty() && iss == expected;
  auto const prefix = expected.substr(0, at);
  auto const suffix = expected.substr(at + ar::tenant_placeholder.size());
  return iss.size() == prefix.size() + 36 + suffix.size() && iss.starts_with(prefix) && iss.ends_with(suffix) &&
         ar::is_directory_id(iss.substr(prefix.size(), 36));
}

/// Checks the `iss` of an authorization response (absent: nullopt). A wrong one is always
/// refused, as is any from a provider that names no issuer; a missing one only where the
/// provider promised it. Checked before the code is sent anywhere: the mix-up defence.
inline Result<void> check_issuer(std::string_view provider, ExpectedIssuer expected,
                                 std::optional<std::string_view> iss) {
  auto refused = [&](std::string const& why) {
    return Error(Errc::issuer_mismatch, std::string(provider) + ": " + why);
  };
  if (!iss) {
    if (expected.promised) return refused("the authorization response does not name its issuer");
    return {};
  }
  if (expected.issuer.empty()) return refused("the provider names no issuer, yet the response names one");
  if (!issuer_matches(expected.issuer, *iss)) return refused("the authorization response names another issuer");
  return {};
}

/// The provider's issuer and promise, unless its configuration names others (a
/// self-hosted or test deployment of the same provider).
inline ExpectedIssuer expected_issuer(ProviderProfile const& provider, std::string_view configured_issuer = {},
                                      std::optional<bool> configured_promise = {}) noexcept {
  return {configured_issuer.empty() ? provider.issuer : configured_issuer,
          configured_promise.value_or(provider.promises_iss_parameter)};
}

template <Provider P>
ExpectedIssuer expected_issuer(std::string_view configured_issuer = {},
                               std::optional<bool> configured_promise = {}) noexcept {
  return expected_issuer(provider_profile<P>, configured_issuer, configured_promise);
}

}  // namespace oauth

#endif
