#ifndef OAUTH_STORE_RECORD_JSON_HPP
#define OAUTH_STORE_RECORD_JSON_HPP

#include <oauth/detail/encoding/time.hpp>
#include <oauth/detail/json/record_fields.hpp>
#include <oauth/error.hpp>
#include <oauth/store/records.hpp>
#include <oauth/user_info.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth {

/// JSON forms of what a store holds about a user, for exports and for stores that keep
/// JSON. Never a token: an integration's JSON has no ciphertext either. Times are RFC 3339
/// in UTC to the microsecond.
inline boost::json::object to_json(UserInfo const& info) {
  using detail::record_json::put;
  boost::json::object o;
  o["account_id"] = info.account_id;
  put(o, "email", info.email);
  if (info.email_verified) o["email_verified"] = *info.email_verified;
  put(o, "name", info.name);
  put(o, "picture", info.picture);
  if (info.workspace) {
    auto const& w = *info.workspace;
    boost::json::object workspace;
    workspace["id"] = w.id;
    put(workspace, "name", w.name);
    put(workspace, "icon", w.icon);
    put(workspace, "bot_id", w.bot_id);
    workspace["owned_by_workspace"] = w.owned_by_workspace;
    put(workspace, "owner", w.owner_json);
    put(workspace, "duplicated_template_id", w.duplicated_template_id);
    put(workspace, "request_id", w.request_id);
    o["workspace"] = std::move(workspace);
  }
  return o;
}

/// An integration without its tokens: what an export or a page may show.
inline boost::json::object to_json(IntegrationRecord const& record) {
  using detail::record_json::put;
  boost::json::object o;
  o["id"] = record.id;
  o["tenant_id"] = record.tenant_id;
  o["user_id"] = record.user_id;
  o["provider"] = record.provider;
  o["account_id"] = record.account_id;
  o["status"] = to_string(record.status);
  o["scopes"] = detail::record_json::strings(record.scopes);
  o["identity"] = to_json(record.identity);
  put(o, "expires_at", record.expires_at);
  o["created_at"] = detail::encoding::to_rfc3339(record.created_at);
  o["updated_at"] = detail::encoding::to_rfc3339(record.updated_at);
  put(o, "last_used_at", record.last_used_at);
  put(o, "last_validated_at", record.last_validated_at);
  return o;
}

inline boost::json::object to_json(ConsentRecord const& consent) {
  using detail::record_json::put;
  boost::json::object o;
  o["integration_id"] = consent.integration_id;
  o["tenant_id"] = consent.tenant_id;
  o["user_id"] = consent.user_id;
  o["provider"] = consent.provider;
  o["scopes"] = detail::record_json::strings(consent.scopes);
  o["granted_at"] = detail::encoding::to_rfc3339(consent.granted_at);
  put(o, "expires_at", consent.expires_at);
  o["client_ip"] = consent.client_ip;
  o["user_agent"] = consent.user_agent;
  o["consent_version"] = consent.consent_version;
  return o;
}

inline Result<ConsentRecord> consent_from_json(boost::json::value const& value) {
  detail::record_json::Reader in(value, "consent");
  ConsentRecord consent;
  consent.integration_id = in.string("integration_id");
  consent.tenant_id = in.string("tenant_id");
  consent.user_id = in.string("user_id");
  consent.provider = in.string("provider");
  consent.scopes = in.strings("scopes");
  consent.granted_at = in.time("granted_at");
  consent.expires_at = in.optional_time("expires_at");
  consent.client_ip = in.string("client_ip");
  consent.user_agent = in.string("user_agent");
  consent.consent_version = in.string("consent_version");
  return in.finish(std::move(consent));
}

inline boost::json::object to_json(AuditEvent const& event) {
  boost::json::object o;
  o["at"] = detail::encoding::to_rfc3339(event.at);
  o["tenant_id"] = event.tenant_id;
  o["user_id"] = event.user_id;
  o["provider"] = event.provider;
  o["integration_id"] = event.integration_id;
  o["action"] = to_string(event.action);
  o["success"] = event.success;
  o["reason"] = event.reason;
  o["scopes"] = detail::record_json::strings(event.scopes);
  o["client_ip"] = event.client_ip;
  o["user_agent"] = event.user_agent;
  return o;
}

inline Result<AuditEvent> audit_event_from_json(boost::json::value const& value) {
  detail::record_json::Reader in(value, "audit event");
  AuditEvent event;
  event.at = in.time("at");
  event.tenant_id = in.string("tenant_id");
  event.user_id = in.string("user_id");
  event.provider = in.string("provider");
  event.integration_id = in.string("integration_id");
  auto const action = audit_action_named(in.string("action"));
  if (!action) return Error(Errc::store_failure, "audit event: unknown action");
  event.action = *action;
  event.success = in.boolean("success");
  event.reason = in.string("reason");
  event.scopes = in.strings("scopes");
  event.client_ip = in.string("client_ip");
  event.user_agent = in.string("user_agent");
  return in.finish(std::move(event));
}

inline boost::json::object to_json(CachedResource const& resource) {
  boost::json::object o;
  o["integration_id"] = resource.integration_id;
  o["kind"] = resource.kind;
  o["id"] = resource.id;
  o["title"] = resource.title;
  o["icon_type"] = resource.icon_type;
  o["icon"] = resource.icon;
  o["properties"] = resource.properties;
  o["object"] = resource.object;
  o["refreshed_at"] = detail::encoding::to_rfc3339(resource.refreshed_at);
  return o;
}

inline Result<CachedResource> cached_resource_from_json(boost::json::value const& value) {
  detail::record_json::Reader in(value, "cached resource");
  CachedResource resource;
  resource.integration_id = in.string("integration_id");
  resource.kind = in.string("kind");
  resource.id = in.string("id");
  resource.title = in.string("title");
  resource.icon_type = in.string("icon_type");
  resource.icon = in.string("icon");
  resource.properties = in.string("properties");
  resource.object = in.string("object");
  resource.refreshed_at = in.time("refreshed_at");
  return in.finish(std::move(resource));
}

}  // namespace oauth

#endif
