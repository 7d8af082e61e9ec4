#ifndef OAUTH_USER_INFO_HPP
#define OAUTH_USER_INFO_HPP

#include <optional>
#include <string>

namespace oauth {

/// The workspace a connection grants access to, for providers that connect workspaces
/// rather than personal accounts (Notion).
struct Workspace {
  std::string id = {};
  std::optional<std::string> name = {};
  std::optional<std::string> icon = {};                    ///< an emoji or an image URL
  std::optional<std::string> bot_id = {};                  ///< the integration's bot in that workspace
  bool owned_by_workspace = false;                         ///< installed for the whole workspace, not by one user
  std::optional<std::string> owner_json = {};              ///< the grant's `owner` object, as JSON
  std::optional<std::string> duplicated_template_id = {};  ///< the template copied on install
  std::optional<std::string> request_id = {};              ///< the provider's id for the grant request

  friend bool operator==(Workspace const&, Workspace const&) = default;
};

/// One normalized identity, whatever shape the provider's answer had.
struct UserInfo {
  std::string account_id = {};  ///< stable id at the provider: OIDC sub, YouTube channel, Notion user
  std::optional<std::string> email = {};
  std::optional<bool> email_verified = {};
  std::optional<std::string> name = {};
  std::optional<std::string> picture = {};
  std::optional<Workspace> workspace = {};

  friend bool operator==(UserInfo const&, UserInfo const&) = default;
};

}  // namespace oauth

#endif
