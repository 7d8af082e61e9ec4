#ifndef OAUTH_MANAGER_INTEGRATION_HPP
#define OAUTH_MANAGER_INTEGRATION_HPP

#include <oauth/error.hpp>
#include <oauth/secret.hpp>
#include <oauth/store/records.hpp>
#include <oauth/user_info.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oauth {

/// A user's connection to one provider account or workspace, as the application sees it.
struct Integration {
  std::string id = {};
  std::string tenant_id = {};
  std::string user_id = {};
  std::string provider = {};
  std::string account_id = {};
  IntegrationStatus status = IntegrationStatus::active;
  std::vector<std::string> scopes = {};
  UserInfo identity = {};
  std::optional<TimePoint> expires_at = {};
  TimePoint created_at = {};
  TimePoint updated_at = {};
  std::optional<TimePoint> last_used_at = {};
  std::optional<TimePoint> last_validated_at = {};

  static Integration from(IntegrationRecord const& record) {
    return {record.id,         record.tenant_id,    record.user_id,          record.provider,   record.account_id,
            record.status,     record.scopes,       record.identity,         record.expires_at, record.created_at,
            record.updated_at, record.last_used_at, record.last_validated_at};
  }
};

/// A valid access token, and what it is good for.
struct AccessGrant {
  AccessToken access_token = {};
  std::optional<TimePoint> expires_at = {};
  std::vector<std::string> scopes = {};
  std::string integration_id = {};
  bool refreshed = false;     ///< this call refreshed it (or waited for the refresh that did)
  std::string provider = {};  ///< the name of the provider that issued it
};

/// Whether a user's integrations with a provider grant a set of scopes, and what to ask
/// for next when they do not.
/// Refreshes under way in this process, and the callers sharing them (each refresh's own
/// caller included): `callers - refreshes` callers are waiting instead of refreshing.
struct RefreshActivity {
  std::size_t refreshes = 0;
  std::size_t callers = 0;
};

struct ScopeCoverage {
  bool granted = false;
  std::vector<std::string> missing = {};
};

/// How a disconnect went: always done locally; at the provider when it can revoke.
struct Disconnection {
  Integration integration = {};
  bool revoked_at_provider = false;
  std::optional<Error> revocation_error = {};  ///< the provider refused or could not be reached
};

/// What the provider said of an integration's token when asked with a read call.
struct Validation {
  Integration integration = {};       ///< as it is after the check
  bool valid = false;                 ///< the provider accepted the token
  std::optional<Error> problem = {};  ///< why not: the integration now needs reauthorization
};

/// How erasing a user's data went: every record is gone either way; revocation at a
/// provider can fail, and is then listed for someone to follow up.
struct Erasure {
  std::size_t integrations = 0;
  std::size_t revoked_at_provider = 0;
  std::vector<std::pair<std::string, Error>> revocation_failures = {};  ///< integration id, why
};

/// Told to the application when an integration needs the user to authorize again.
struct ReauthNeeded {
  std::string tenant_id = {};
  std::string user_id = {};
  std::string provider = {};
  std::string integration_id = {};
  Error reason = {};
};

}  // namespace oauth

#endif
