#ifndef OAUTH_SCOPE_CATALOGUE_HPP
#define OAUTH_SCOPE_CATALOGUE_HPP

#include <oauth/error.hpp>
#include <oauth/provider.hpp>
#include <oauth/provider_profile.hpp>
#include <oauth/scope.hpp>

#include <algorithm>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace oauth {

/// find_scope, resolve_scopes and join_scopes over a provider known at run time.
constexpr Scope const* find_scope(ProviderProfile const& provider, std::string_view name) noexcept {
  for (auto const& scope : provider.scopes)
    if (scope.name == name) return &scope;
  if (provider.scope_prefix) {
    auto const prefix = *provider.scope_prefix;
    auto const bare = name.starts_with(prefix) ? name.substr(prefix.size()) : name;
    for (auto const& scope : provider.scopes) {
      if (scope.name == bare) return &scope;
      if (scope.name.starts_with(prefix) && scope.name.substr(prefix.size()) == name) return &scope;
    }
  }
  return nullptr;
}

inline Result<std::vector<std::string_view>> resolve_scopes(ProviderProfile const& provider,
                                                            std::span<std::string_view const> requested) {
  std::vector<std::string_view> resolved;
  auto const add = [&](std::string_view name) {
    if (std::find(resolved.begin(), resolved.end(), name) == resolved.end()) resolved.push_back(name);
  };
  for (auto const& scope : provider.scopes)
    if (scope.required) add(scope.name);

  std::string unknown;
  for (std::string_view rest : requested) {
    bool named_any = false;
    while (true) {
      auto const start = rest.find_first_not_of(" \t\r\n");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      auto const name = rest.substr(0, rest.find_first_of(" \t\r\n"));
      rest.remove_prefix(name.size());
      named_any = true;
      if (auto const* scope = find_scope(provider, name)) {
        add(scope->name);
      } else {
        unknown += unknown.empty() ? "" : ", ";
        unknown += name;
      }
    }
    if (!named_any) unknown += unknown.empty() ? "\"\"" : ", \"\"";
  }
  if (!unknown.empty())
    return Error(Errc::unknown_scope, "unknown scope for " + std::string(provider.name) + ": " + unknown);
  return resolved;
}

inline std::string join_scopes(ProviderProfile const& provider, std::span<std::string_view const> scopes) {
  std::string joined;
  for (auto const& scope : scopes) {
    if (!joined.empty()) joined += provider.scope_separator;
    joined += scope;
  }
  return joined;
}

/// The catalogue entry for `name`. Where the provider has a scope prefix, both forms are
/// accepted: `calendar` for Google's `https://www.googleapis.com/auth/calendar`, and
/// `https://graph.microsoft.com/Mail.Read` for Microsoft's `Mail.Read`.
template <Provider P>
constexpr Scope const* find_scope(std::string_view name) noexcept {
  return find_scope(provider_profile<P>, name);
}

/// The scopes to ask for: the provider's required ones first, then those requested, each
/// once and in the catalogue's spelling. A requested entry may hold several names
/// separated by white space. Any name not in the catalogue fails the whole request, and
/// the error lists every such name.
template <Provider P, std::ranges::input_range R>
  requires std::convertible_to<std::ranges::range_reference_t<R>, std::string_view>
      Result<std::vector<std::string_view>> resolve_scopes(R const& requested) {
    if constexpr (std::is_convertible_v<R const&, std::span<std::string_view const>>) {
      return resolve_scopes(provider_profile<P>, requested);
    } else {
      std::vector<std::string_view> names;
      for (auto const& entry : requested) names.emplace_back(entry);
      return resolve_scopes(provider_profile<P>, names);
    }
  }

/// Scopes as the provider expects them in a request: joined by its separator.
template <Provider P>
std::string join_scopes(std::span<std::string_view const> scopes) {
  return join_scopes(provider_profile<P>, scopes);
}

/// The named scope sets of the catalogue ("calendar", "drive", ...), in catalogue order.
template <Provider P>
std::vector<std::string_view> scope_sets() {
  std::vector<std::string_view> sets;
  for (auto const& scope : P::scopes)
    if (!scope.set.empty() && std::find(sets.begin(), sets.end(), scope.set) == sets.end()) sets.push_back(scope.set);
  return sets;
}

/// The catalogue entries of one scope set; empty for a set the provider does not have.
template <Provider P>
std::vector<Scope> scopes_in_set(std::string_view set) {
  std::vector<Scope> members;
  for (auto const& scope : P::scopes)
    if (!set.empty() && scope.set == set) members.push_back(scope);
  return members;
}

constexpr std::string_view to_string(ScopeCategory category) noexcept {
  switch (category) {
    case ScopeCategory::read: return "read";
    case ScopeCategory::write: return "write";
    case ScopeCategory::admin: return "admin";
  }
  return "unknown";
}

}  // namespace oauth

#endif
