#ifndef OAUTH_SCOPE_HPP
#define OAUTH_SCOPE_HPP

#include <string_view>

namespace oauth {

enum class ScopeCategory { read, write, admin };

/// One entry of a provider's scope catalogue, written with designated initializers:
/// `Scope{.name = "Mail.Read", .description = "Read your mail", .set = "mail", .dangerous = true}`.
struct Scope {
  std::string_view name = {};         ///< exactly as sent to the provider
  std::string_view description = {};  ///< what granting it lets the application do, for a consent page
  ScopeCategory category = ScopeCategory::read;
  std::string_view set = {};  ///< the product it belongs to ("calendar", "mail"); empty for sign-in scopes
  bool required = false;      ///< always requested: identity or refresh depend on it
  bool dangerous = false;     ///< broad or destructive power a user should think twice about
};

}  // namespace oauth

#endif
