#ifndef OAUTH_STORE_SCOPE_RECORDS_HPP
#define OAUTH_STORE_SCOPE_RECORDS_HPP

#include <oauth/provider.hpp>
#include <oauth/scope_catalogue.hpp>
#include <oauth/store/records.hpp>

#include <string>
#include <vector>

namespace oauth {

/// P's catalogue as a token store keeps it. A bad provider gets ProviderRequirements'
/// one line per problem, and nothing more.
template <class P>
std::vector<ScopeRecord> scope_records() {
  static_assert(ProviderRequirements<P>::value);
  std::vector<ScopeRecord> records;
  if constexpr (Provider<P>) {
    for (auto const& scope : P::scopes)
      records.push_back({std::string(P::name), std::string(scope.name), std::string(scope.description),
                         std::string(to_string(scope.category)), std::string(scope.set), scope.required,
                         scope.dangerous});
  }
  return records;
}

}  // namespace oauth

#endif
