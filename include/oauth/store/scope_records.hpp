#ifndef OAUTH_STORE_SCOPE_RECORDS_HPP
#define OAUTH_STORE_SCOPE_RECORDS_HPP

#include <oauth/provider.hpp>
#include <oauth/provider_profile.hpp>
#include <oauth/scope_catalogue.hpp>
#include <oauth/store/records.hpp>

#include <string>
#include <vector>

namespace oauth {

/// A provider's catalogue as a token store keeps it.
inline std::vector<ScopeRecord> scope_records(ProviderProfile const& provider) {
  std::vector<ScopeRecord> records;
  for (auto const& scope : provider.scopes)
    records.push_back({std::string(provider.name), std::string(scope.name), std::string(scope.description),
                       std::string(to_string(scope.category)), std::string(scope.set), scope.required,
                       scope.dangerous});
  return records;
}

/// P's. A bad provider gets ProviderRequirements' one line per problem, and nothing more.
template <class P>
std::vector<ScopeRecord> scope_records() {
  static_assert(ProviderRequirements<P>::value);
  if constexpr (Provider<P>)
    return scope_records(provider_profile<P>);
  else
    return {};
}

}  // namespace oauth

#endif
