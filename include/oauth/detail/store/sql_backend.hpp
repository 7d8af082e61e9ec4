#ifndef OAUTH_DETAIL_STORE_SQL_BACKEND_HPP
#define OAUTH_DETAIL_STORE_SQL_BACKEND_HPP

#include <oauth/detail/encoding/time.hpp>
#include <oauth/detail/store/connection_pool.hpp>
#include <oauth/detail/store/group_commit.hpp>
#include <oauth/detail/store/sql.hpp>
#include <oauth/error.hpp>
#include <oauth/store/rate_slots.hpp>
#include <oauth/store/records.hpp>
#include <oauth/store/unit_of_work.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth::detail::store {

namespace sql {

inline constexpr int schema_version = 3;

/// Each migration brings the schema from the version before it to its own. Written once
/// for every SQL database: {bigint}, {serial} and {unlogged} are the dialect's words.
inline constexpr std::array<std::string_view, schema_version> migrations{R"sql(
CREATE TABLE integrations (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  account_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'needs_reauth', 'disconnected')),
  granted_scopes TEXT NOT NULL,
  email TEXT,
  email_verified INTEGER,
  display_name TEXT,
  picture TEXT,
  version {bigint} NOT NULL,
  created_at {bigint} NOT NULL,
  updated_at {bigint} NOT NULL,
  last_used_at {bigint},
  last_validated_at {bigint},
  UNIQUE (tenant_id, user_id, provider, account_id)
);
CREATE INDEX integrations_by_owner ON integrations (tenant_id, user_id);
CREATE TABLE tokens (
  integration_id TEXT PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
  access_token TEXT NOT NULL,
  refresh_token TEXT,
  token_type TEXT NOT NULL,
  expires_at {bigint},
  issued_at {bigint} NOT NULL,
  scope TEXT NOT NULL,
  key_id TEXT NOT NULL
);
CREATE TABLE workspace_grants (
  integration_id TEXT PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL,
  workspace_name TEXT,
  workspace_icon TEXT,
  bot_id TEXT,
  owned_by_workspace INTEGER NOT NULL,
  owner TEXT,
  duplicated_template_id TEXT,
  request_id TEXT
);
CREATE TABLE consents (
  id {serial},
  integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  scopes TEXT NOT NULL,
  granted_at {bigint} NOT NULL,
  expires_at {bigint},
  client_ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  consent_version TEXT NOT NULL
);
CREATE INDEX consents_by_owner ON consents (tenant_id, user_id);
CREATE TABLE audit_log (
  id {serial},
  at {bigint} NOT NULL,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  integration_id TEXT NOT NULL,
  action TEXT NOT NULL,
  scopes TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  success INTEGER NOT NULL,
  error_message TEXT NOT NULL
);
CREATE INDEX audit_log_by_owner ON audit_log (tenant_id, user_id, id);
CREATE TABLE flow_states (
  state TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  scopes TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  created_at {bigint} NOT NULL,
  expires_at {bigint} NOT NULL,
  used INTEGER NOT NULL
);
CREATE INDEX flow_states_by_expiry ON flow_states (expires_at);
CREATE TABLE refresh_leases (
  integration_id TEXT PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
  holder TEXT NOT NULL,
  until_at {bigint} NOT NULL
);
CREATE TABLE scope_catalogue (
  provider TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  category TEXT NOT NULL,
  scope_set TEXT NOT NULL,
  required INTEGER NOT NULL,
  dangerous INTEGER NOT NULL,
  PRIMARY KEY (provider, name)
);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
                                                                         R"sql(
CREATE TABLE cached_resources (
  integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  title TEXT NOT NULL,
  icon_type TEXT NOT NULL,
  icon TEXT NOT NULL,
  properties TEXT NOT NULL,
  object TEXT NOT NULL,
  refreshed_at {bigint} NOT NULL,
  PRIMARY KEY (integration_id, kind, resource_id)
);
)sql",
                                                                         R"sql(
CREATE {unlogged} TABLE rate_slots (
  key TEXT PRIMARY KEY,
  theoretical_arrival {bigint} NOT NULL
);
)sql"};

#define OAUTH_SQL_SELECT_INTEGRATIONS                                                                             \
  "SELECT i.id, i.tenant_id, i.user_id, i.provider, i.account_id, i.subject, i.status, i.granted_scopes, "        \
  "i.email, i.email_verified, i.display_name, i.picture, i.version, i.created_at, i.updated_at, i.last_used_at, " \
  "i.last_validated_at, t.access_token, t.refresh_token, t.token_type, t.expires_at, t.issued_at, t.key_id, "     \
  "w.workspace_id, w.workspace_name, w.workspace_icon, w.bot_id, w.owned_by_workspace, w.owner, "                 \
  "w.duplicated_template_id, w.request_id FROM integrations i LEFT JOIN tokens t ON t.integration_id = i.id "     \
  "LEFT JOIN workspace_grants w ON w.integration_id = i.id "

inline constexpr Statement find_integration{OAUTH_SQL_SELECT_INTEGRATIONS
                                            "WHERE i.id = ? AND i.tenant_id = ? AND i.user_id = ?"};
inline constexpr Statement list_integrations{OAUTH_SQL_SELECT_INTEGRATIONS
                                             "WHERE i.tenant_id = ? AND i.user_id = ? ORDER BY i.created_at, i.id"};
inline constexpr Statement scan_integrations{OAUTH_SQL_SELECT_INTEGRATIONS "WHERE i.id > ? ORDER BY i.id LIMIT ?"};

#undef OAUTH_SQL_SELECT_INTEGRATIONS

/// What a token needs, and no more: read on every get_access_token.
inline constexpr Statement find_access{R"sql(
SELECT i.provider, i.status, i.version, t.access_token, t.key_id, t.expires_at, t.issued_at, i.granted_scopes,
  i.last_used_at
FROM integrations i LEFT JOIN tokens t ON t.integration_id = i.id
WHERE i.id = ? AND i.tenant_id = ? AND i.user_id = ?)sql"};

inline constexpr Statement read_schema_version{"SELECT version FROM schema_version"};
inline constexpr Statement insert_schema_version{"INSERT INTO schema_version (version) VALUES (?)"};
inline constexpr Statement update_schema_version{"UPDATE schema_version SET version = ?"};

inline constexpr Statement upsert_integration{R"sql(
INSERT INTO integrations (id, tenant_id, user_id, provider, account_id, subject, status, granted_scopes, email,
  email_verified, display_name, picture, version, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
ON CONFLICT (tenant_id, user_id, provider, account_id) DO UPDATE SET
  subject = excluded.subject, status = excluded.status, granted_scopes = excluded.granted_scopes, email = excluded.email,
  email_verified = excluded.email_verified, display_name = excluded.display_name, picture = excluded.picture,
  version = integrations.version + 1, updated_at = excluded.updated_at
RETURNING id)sql"};
inline constexpr Statement upsert_tokens{R"sql(
INSERT INTO tokens (integration_id, access_token, refresh_token, token_type, expires_at, issued_at, scope, key_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (integration_id) DO UPDATE SET
  access_token = excluded.access_token, refresh_token = excluded.refresh_token, token_type = excluded.token_type,
  expires_at = excluded.expires_at, issued_at = excluded.issued_at, scope = excluded.scope, key_id = excluded.key_id)sql"};
inline constexpr Statement upsert_workspace{R"sql(
INSERT INTO workspace_grants (integration_id, workspace_id, workspace_name, workspace_icon, bot_id,
  owned_by_workspace, owner, duplicated_template_id, request_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (integration_id) DO UPDATE SET
  workspace_id = excluded.workspace_id, workspace_name = excluded.workspace_name,
  workspace_icon = excluded.workspace_icon, bot_id = excluded.bot_id,
  owned_by_workspace = excluded.owned_by_workspace, owner = excluded.owner,
  duplicated_template_id = excluded.duplicated_template_id, request_id = excluded.request_id)sql"};
inline constexpr Statement insert_consent{R"sql(
INSERT INTO consents (integration_id, tenant_id, user_id, provider, scopes, granted_at, expires_at, client_ip,
  user_agent, consent_version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql"};

// What the writer did not read with the record comes back with the write: no second read.
inline constexpr Statement bump_for_tokens{R"sql(
UPDATE integrations SET version = version + 1, updated_at = ?, granted_scopes = ?
WHERE id = ? AND tenant_id = ? AND user_id = ? AND version = ? AND status <> 'disconnected'
RETURNING version, status, created_at, last_used_at, last_validated_at)sql"};
inline constexpr Statement update_tokens{R"sql(
UPDATE tokens SET access_token = ?, refresh_token = ?, token_type = ?, expires_at = ?, issued_at = ?, scope = ?,
  key_id = ?
WHERE integration_id = ?)sql"};
inline constexpr Statement owned{"SELECT 1 FROM integrations WHERE id = ? AND tenant_id = ? AND user_id = ?"};
/// `owned`, and the integration's row locked until the transaction ends (a write that
/// changes nothing, as both dialects lock): what is replaced whole, one writer at a time.
inline constexpr Statement lock_owned{
    "UPDATE integrations SET updated_at = updated_at WHERE id = ? AND tenant_id = ? AND user_id = ?"};
inline constexpr Statement set_status{R"sql(
UPDATE integrations SET status = ?, version = version + 1, updated_at = ?
WHERE id = ? AND tenant_id = ? AND user_id = ?)sql"};
inline constexpr Statement record_used{
    "UPDATE integrations SET last_used_at = ? WHERE id = ? AND tenant_id = ? AND user_id = ?"};
inline constexpr Statement record_validated{
    "UPDATE integrations SET last_validated_at = ? WHERE id = ? AND tenant_id = ? AND user_id = ?"};
inline constexpr Statement mark_disconnected{R"sql(
UPDATE integrations SET status = 'disconnected', version = version + 1, updated_at = ?
WHERE id = ? AND tenant_id = ? AND user_id = ?)sql"};
inline constexpr Statement delete_tokens{"DELETE FROM tokens WHERE integration_id = ?"};
inline constexpr Statement delete_consents{"DELETE FROM consents WHERE integration_id = ?"};
inline constexpr Statement delete_lease{"DELETE FROM refresh_leases WHERE integration_id = ?"};
inline constexpr Statement delete_resources{"DELETE FROM cached_resources WHERE integration_id = ?"};
inline constexpr Statement delete_resources_of_kind{
    "DELETE FROM cached_resources WHERE integration_id = ? AND kind = ?"};
inline constexpr Statement insert_resource{R"sql(
INSERT INTO cached_resources (integration_id, kind, resource_id, title, icon_type, icon, properties, object,
  refreshed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?))sql"};
inline constexpr Statement list_resources{R"sql(
SELECT r.integration_id, r.kind, r.resource_id, r.title, r.icon_type, r.icon, r.properties, r.object, r.refreshed_at
FROM cached_resources r JOIN integrations i ON i.id = r.integration_id
WHERE r.integration_id = ? AND i.tenant_id = ? AND i.user_id = ? AND r.kind = ?
ORDER BY r.title, r.resource_id)sql"};

inline constexpr Statement list_consents{R"sql(
SELECT integration_id, tenant_id, user_id, provider, scopes, granted_at, expires_at, client_ip, user_agent,
  consent_version
FROM consents WHERE tenant_id = ? AND user_id = ? ORDER BY id)sql"};
inline constexpr Statement append_audit{R"sql(
INSERT INTO audit_log (at, tenant_id, user_id, provider, integration_id, action, scopes, client_ip, user_agent,
  success, error_message)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql"};
inline constexpr Statement audit_log{R"sql(
SELECT at, tenant_id, user_id, provider, integration_id, action, scopes, client_ip, user_agent, success,
  error_message
FROM audit_log WHERE tenant_id = ? AND user_id = ? ORDER BY id)sql"};
// The owner's rows but the newest `?`: the subquery finds the newest one to go (none when
// there are no more than that).
inline constexpr Statement keep_newest_audit{R"sql(
DELETE FROM audit_log WHERE tenant_id = ? AND user_id = ? AND id <= (
  SELECT id FROM audit_log WHERE tenant_id = ? AND user_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?))sql"};
// Through the (tenant_id, user_id, id) index: a page costs its rows, not the log's.
inline constexpr Statement audit_page{R"sql(
SELECT at, tenant_id, user_id, provider, integration_id, action, scopes, client_ip, user_agent, success,
  error_message, id
FROM audit_log WHERE tenant_id = ? AND user_id = ? AND id < ? ORDER BY id DESC LIMIT ?)sql"};

inline constexpr Statement purge_states{"DELETE FROM flow_states WHERE expires_at < ?"};
inline constexpr Statement insert_state{R"sql(
INSERT INTO flow_states (state, provider, tenant_id, user_id, session_id, scopes, code_verifier, redirect_uri,
  created_at, expires_at, used)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0))sql"};
inline constexpr Statement take_state{R"sql(
UPDATE flow_states SET used = 1 WHERE state = ? AND session_id = ? AND used = 0 AND expires_at >= ?
RETURNING state, provider, tenant_id, user_id, session_id, scopes, code_verifier, redirect_uri, created_at,
  expires_at)sql"};
inline constexpr Statement state_seen{"SELECT used FROM flow_states WHERE state = ? AND expires_at >= ?"};

inline constexpr Statement acquire_lease{R"sql(
INSERT INTO refresh_leases (integration_id, holder, until_at)
SELECT id, ?, ? FROM integrations WHERE id = ? AND tenant_id = ? AND user_id = ?
ON CONFLICT (integration_id) DO UPDATE SET holder = excluded.holder, until_at = excluded.until_at
WHERE refresh_leases.holder = excluded.holder OR refresh_leases.until_at <= ?)sql"};
inline constexpr Statement release_lease{R"sql(
DELETE FROM refresh_leases WHERE integration_id = ? AND holder = ?
  AND integration_id IN (SELECT id FROM integrations WHERE id = ? AND tenant_id = ? AND user_id = ?))sql"};

inline constexpr std::array<Statement, 8> erase_user{{
    {"DELETE FROM cached_resources WHERE integration_id IN "
     "(SELECT id FROM integrations WHERE tenant_id = ? AND user_id = ?)"},
    {"DELETE FROM tokens WHERE integration_id IN "
     "(SELECT id FROM integrations WHERE tenant_id = ? AND user_id = ?)"},
    {"DELETE FROM workspace_grants WHERE integration_id IN "
     "(SELECT id FROM integrations WHERE tenant_id = ? AND user_id = ?)"},
    {"DELETE FROM refresh_leases WHERE integration_id IN "
     "(SELECT id FROM integrations WHERE tenant_id = ? AND user_id = ?)"},
    {"DELETE FROM consents WHERE tenant_id = ? AND user_id = ?"},
    {"DELETE FROM audit_log WHERE tenant_id = ? AND user_id = ?"},
    {"DELETE FROM flow_states WHERE tenant_id = ? AND user_id = ?"},
    {"DELETE FROM integrations WHERE tenant_id = ? AND user_id = ?"},
}};

inline constexpr Statement catalogue_names{"SELECT name FROM scope_catalogue WHERE provider = ?"};
inline constexpr Statement delete_scope{"DELETE FROM scope_catalogue WHERE provider = ? AND name = ?"};
// An upsert, not delete-and-insert: instances starting together write the same rows.
inline constexpr Statement upsert_scope{R"sql(
INSERT INTO scope_catalogue (provider, name, description, category, scope_set, required, dangerous)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (provider, name) DO UPDATE SET description = excluded.description, category = excluded.category,
  scope_set = excluded.scope_set, required = excluded.required, dangerous = excluded.dangerous)sql"};
inline constexpr Statement scope_catalogue{R"sql(
SELECT provider, name, description, category, scope_set, required, dangerous
FROM scope_catalogue WHERE provider = ? ORDER BY name)sql"};
// A GCRA bucket (store/rate_slots.hpp) on the server's clock, in microseconds: one row
// granted with the wait for its slot, or, when a refusable request finds no free slot, one
// refused with the wait until there is one. A refused request writes nothing.
inline constexpr Statement rate_slot{R"sql(
WITH given AS (SELECT ?::text AS key, ?::bigint AS step, ?::bigint AS ahead, ?::integer AS refusable,
  (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now),
taken AS (
  INSERT INTO rate_slots AS r (key, theoretical_arrival) SELECT key, now + step FROM given
  ON CONFLICT (key) DO UPDATE
  SET theoretical_arrival = (SELECT GREATEST(r.theoretical_arrival, now) + step FROM given)
  WHERE (SELECT refusable = 0 OR GREATEST(r.theoretical_arrival, now) - ahead <= now FROM given)
  RETURNING theoretical_arrival)
SELECT 1, GREATEST(taken.theoretical_arrival - step - ahead - now, 0) FROM taken, given
UNION ALL
SELECT 0, GREATEST(r.theoretical_arrival - ahead - now, 1) FROM rate_slots r, given
WHERE r.key = given.key AND NOT EXISTS (SELECT 1 FROM taken))sql"};
/// Buckets whose slots all lie in the past hold nothing a new one would not.
inline constexpr Statement sweep_rate_slots{
    "DELETE FROM rate_slots WHERE theoretical_arrival < (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"};

inline constexpr Statement read_setting{"SELECT value FROM settings WHERE name = ?"};
inline constexpr Statement write_setting{
    "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"};

}  // namespace sql

/// The transaction a thread is running `TokenStore::together`'s work in, if any: the
/// backend's calls on that thread join it instead of taking a transaction of their own.
struct JoinedTransaction {
  void const* shared;  ///< whose (a backend's shared state: copies of it share too)
  void* connection;
};

inline JoinedTransaction const*& joined_transaction() noexcept {
  static thread_local JoinedTransaction const* joined = nullptr;
  return joined;
}

/// The token store over a SQL database. Everything but talking to the database is here,
/// once; a driver (SQLite, PostgreSQL) connects, prepares and binds. Copies share one
/// connection pool.
template <class Driver>
class SqlBackend {
public:
  using Options = typename Driver::Options;
  using Connection = typename Driver::Connection;
  static constexpr int schema_version = sql::schema_version;

  /// Connects and brings the schema up to date; a schema newer than this code is refused.
  static Result<SqlBackend> open(Options options) {
    auto shared = std::make_shared<Shared>(options);
    SqlBackend backend(std::move(shared));
    if (auto migrated = backend.migrate(); !migrated) return migrated.error();
    return backend;
  }

  Options const& options() const noexcept { return shared_->options; }

  /// Runs `work` as one transaction: the calls of this backend it makes (reads too) join
  /// it, each write in a savepoint of its own, instead of committing on their own. Rolled
  /// back whole when `work` fails; inside another, `work` joins that one.
  Result<void> together(Durability durability, oauth::store::UnitOfWork work) {
    if (joined()) return work();
    auto body = [&](Connection& c) -> Result<void> { return joining(shared_.get(), c, work); };
    return shared_->commits.run(shared_->pool, durability, body);
  }

  /// together(), with nobody waiting for the transaction: it joins the line of writes,
  /// and `work.finish` is told its outcome on the thread that commits it.
  void together_deferred(Durability durability, oauth::store::DeferredWork& work) {
    if (joined()) return work.run_now();
    auto* shared = shared_.get();
    shared_->commits.submit(
        shared_->pool, durability, work,
        [shared](Connection& c, oauth::store::DeferredWork& w) {
          auto run = [&] { return w.run(); };
          return joining(shared, c, run);
        },
        shared_);
  }

  /// How this backend's writes (and its copies') have been grouped into transactions.
  typename GroupCommit<Connection>::Counts commit_counts() const { return shared_->commits.counts(); }

  Result<void> put_state(FlowStateRecord state) {
    auto const scopes = join_scopes(state.scopes);
    return in_transaction(
        [&](Connection& c) -> Result<void> {
          // Used and expired states linger an hour past expiry, so a replay is recognized
          // (take_state looks no further back); the rows older than that go once a minute.
          if (purge_due(state.created_at)) {
            auto const forgotten = encoding::to_micros(state.created_at - std::chrono::hours(1));
            if (auto purged = run(c, sql::purge_states, {forgotten}); !purged) return purged.error();
          }
          auto inserted = run(c, sql::insert_state,
                              {state.state, state.provider, state.tenant_id, state.user_id, state.session_id, scopes,
                               state.code_verifier_ciphertext, state.redirect_uri,
                               encoding::to_micros(state.created_at), encoding::to_micros(state.expires_at)});
          if (!inserted && inserted.error() == Errc::store_conflict)
            return Error(Errc::store_conflict, "authorization state already exists");
          if (!inserted) return inserted.error();
          return {};
        },
        Durability::relaxed);
  }

  Result<FlowStateRecord> take_state(std::string_view state, std::string_view session_id, TimePoint now) {
    auto const remembered_since = encoding::to_micros(now - std::chrono::hours(1));
    // The state is spent even when the answer is that it expired: only a store failure
    // rolls the transaction back, so the verdict is kept apart from it.
    Result<FlowStateRecord> verdict = Error(Errc::state_not_found);
    auto taking = in_transaction(
        [&](Connection& c) -> Result<void> {
          std::optional<FlowStateRecord> taken;
          auto ran = run(c, sql::take_state, {state, session_id, remembered_since}, [&](auto const& row) {
            taken = FlowStateRecord{std::string(row.text(0)),
                                    std::string(row.text(1)),
                                    std::string(row.text(2)),
                                    std::string(row.text(3)),
                                    std::string(row.text(4)),
                                    split_scopes(row.text(5)),
                                    std::string(row.text(6)),
                                    std::string(row.text(7)),
                                    encoding::from_micros(row.integer(8)),
                                    encoding::from_micros(row.integer(9))};
          });
          if (!ran) return ran.error();
          if (taken) {
            verdict =
                taken->expires_at <= now ? Result<FlowStateRecord>(Error(Errc::state_expired)) : std::move(*taken);
            return {};
          }
          std::optional<bool> used;
          auto seen =
              run(c, sql::state_seen, {state, remembered_since}, [&](auto const& row) { used = row.integer(0) != 0; });
          if (!seen) return seen.error();
          if (!used)
            verdict = Error(Errc::state_not_found);
          else if (*used)
            verdict = Error(Errc::state_already_used);
          else
            verdict = Error(Errc::state_mismatch);  // there, unused, and another session's
          return {};
        },
        Durability::relaxed);
    if (!taking) return taking.error();
    return verdict;
  }

  Result<IntegrationRecord> save_connection(IntegrationRecord record, ConsentRecord consent) {
    auto const scopes = join_scopes(record.scopes);
    auto const updated = encoding::to_micros(record.updated_at);
    return in_transaction([&](Connection& c) -> Result<IntegrationRecord> {
      auto const& who = record.identity;
      std::optional<std::int64_t> verified;
      if (who.email_verified) verified = *who.email_verified ? 1 : 0;
      std::string id;
      auto saved = run(c, sql::upsert_integration,
                       {record.id, record.tenant_id, record.user_id, record.provider, record.account_id, who.account_id,
                        to_string(IntegrationStatus::active), scopes, nullable(who.email), nullable(verified),
                        nullable(who.name), nullable(who.picture), updated, updated},
                       [&](auto const& row) { id = std::string(row.text(0)); });
      if (!saved) return saved.error();
      auto tokens = run(c, sql::upsert_tokens,
                        {id, record.access_token_ciphertext, refresh_value(record), record.token_type,
                         nullable(expiry(record)), encoding::to_micros(record.token_issued_at), scopes, record.key_id});
      if (!tokens) return tokens.error();
      if (who.workspace) {
        auto const& w = *who.workspace;
        auto workspace =
            run(c, sql::upsert_workspace,
                {id, w.id, nullable(w.name), nullable(w.icon), nullable(w.bot_id), std::int64_t{w.owned_by_workspace},
                 nullable(w.owner_json), nullable(w.duplicated_template_id), nullable(w.request_id)});
        if (!workspace) return workspace.error();
      }
      std::optional<std::int64_t> consent_expiry;
      if (consent.expires_at) consent_expiry = encoding::to_micros(*consent.expires_at);
      auto consented = run(c, sql::insert_consent,
                           {id, consent.tenant_id, consent.user_id, consent.provider, join_scopes(consent.scopes),
                            encoding::to_micros(consent.granted_at), nullable(consent_expiry), consent.client_ip,
                            consent.user_agent, consent.consent_version});
      if (!consented) return consented.error();
      return find(c, record.owner(), id);
    });
  }

  Result<IntegrationRecord> find_integration(Owner owner, std::string_view id) const {
    return with_connection([&](Connection& c) { return find(c, owner, id); });
  }

  Result<AccessRecord> find_access(Owner owner, std::string_view id) const {
    return with_connection([&](Connection& c) -> Result<AccessRecord> {
      std::optional<AccessRecord> found;
      auto ran = run(c, sql::find_access, {id, owner.tenant_id, owner.user_id}, [&](auto const& row) {
        AccessRecord r;
        r.id = id;
        r.tenant_id = owner.tenant_id;
        r.user_id = owner.user_id;
        r.provider = row.text(0);
        r.status = integration_status_named(row.text(1)).value_or(IntegrationStatus::pending);
        r.version = static_cast<std::uint64_t>(row.integer(2));
        if (!row.is_null(3)) {
          r.access_token_ciphertext = row.text(3);
          r.key_id = row.text(4);
          r.expires_at = optional_time(row, 5);
          r.token_issued_at = encoding::from_micros(row.integer(6));
        }
        r.scopes = split_scopes(row.text(7));
        r.last_used_at = optional_time(row, 8);
        found = std::move(r);
      });
      if (!ran) return ran.error();
      if (!found) return Error(Errc::integration_not_found);
      return std::move(*found);
    });
  }

  Result<std::vector<IntegrationRecord>> list_integrations(Owner owner) const {
    return with_connection([&](Connection& c) -> Result<std::vector<IntegrationRecord>> {
      std::vector<IntegrationRecord> found;
      bool foreign = false;
      auto ran = run(c, sql::list_integrations, {owner.tenant_id, owner.user_id}, [&](auto const& row) {
        found.push_back(read_integration(row));
        foreign = foreign || found.back().tenant_id != owner.tenant_id || found.back().user_id != owner.user_id;
      });
      if (!ran) return ran.error();
      // Found by the fuzzer: a damaged index can hand back a row its WHERE clause excludes.
      if (foreign)
        return Error(Errc::store_failure, "the database returned another owner's integration: it is damaged");
      return found;
    });
  }

  Result<IntegrationRecord> update_tokens(IntegrationRecord record, std::uint64_t expected_version) {
    auto const scopes = join_scopes(record.scopes);
    return in_transaction([&](Connection& c) -> Result<IntegrationRecord> {
      auto bumped = run(c, sql::bump_for_tokens,
                        {encoding::to_micros(record.updated_at), scopes, record.id, record.tenant_id, record.user_id,
                         static_cast<std::int64_t>(expected_version)},
                        [&](auto const& row) {
                          record.version = static_cast<std::uint64_t>(row.integer(0));
                          record.status = integration_status_named(row.text(1)).value_or(record.status);
                          record.created_at = encoding::from_micros(row.integer(2));
                          record.last_used_at = optional_time(row, 3);
                          record.last_validated_at = optional_time(row, 4);
                        });
      if (!bumped) return bumped.error();
      if (*bumped == 0) {
        auto exists = run(c, sql::owned, {record.id, record.tenant_id, record.user_id});
        if (!exists) return exists.error();
        if (*exists == 0) return Error(Errc::integration_not_found);
        return Error(Errc::store_conflict, "integration changed since it was read");
      }
      auto written =
          run(c, sql::update_tokens,
              {record.access_token_ciphertext, refresh_value(record), record.token_type, nullable(expiry(record)),
               encoding::to_micros(record.token_issued_at), scopes, record.key_id, record.id});
      if (!written) return written.error();
      return std::move(record);
    });
  }

  Result<IntegrationRecord> set_status(Owner owner, std::string_view id, IntegrationStatus status, TimePoint at) {
    return in_transaction([&](Connection& c) -> Result<IntegrationRecord> {
      auto changed =
          run(c, sql::set_status, {to_string(status), encoding::to_micros(at), id, owner.tenant_id, owner.user_id});
      if (!changed) return changed.error();
      if (*changed == 0) return Error(Errc::integration_not_found);
      return find(c, owner, id);
    });
  }

  /// When an integration was last used is kept to the minute, not to the last power cut.
  Result<void> record_use(Owner owner, std::string_view id, UseKind use, TimePoint at) {
    return in_transaction(
        [&](Connection& c) -> Result<void> {
          auto changed = run(c, use == UseKind::used ? sql::record_used : sql::record_validated,
                             {encoding::to_micros(at), id, owner.tenant_id, owner.user_id});
          if (!changed) return changed.error();
          if (*changed == 0) return Error(Errc::integration_not_found);
          return {};
        },
        Durability::relaxed);
  }

  Result<IntegrationRecord> disconnect(Owner owner, std::string_view id, TimePoint at) {
    return in_transaction([&](Connection& c) -> Result<IntegrationRecord> {
      auto changed = run(c, sql::mark_disconnected, {encoding::to_micros(at), id, owner.tenant_id, owner.user_id});
      if (!changed) return changed.error();
      if (*changed == 0) return Error(Errc::integration_not_found);
      for (auto const& statement : {sql::delete_tokens, sql::delete_consents, sql::delete_lease, sql::delete_resources})
        if (auto deleted = run(c, statement, {id}); !deleted) return deleted.error();
      return find(c, owner, id);
    });
  }

  Result<std::vector<ConsentRecord>> list_consents(Owner owner) const {
    return with_connection([&](Connection& c) -> Result<std::vector<ConsentRecord>> {
      std::vector<ConsentRecord> found;
      auto ran = run(c, sql::list_consents, {owner.tenant_id, owner.user_id}, [&](auto const& row) {
        ConsentRecord consent{std::string(row.text(0)),  std::string(row.text(1)),
                              std::string(row.text(2)),  std::string(row.text(3)),
                              split_scopes(row.text(4)), encoding::from_micros(row.integer(5))};
        if (!row.is_null(6)) consent.expires_at = encoding::from_micros(row.integer(6));
        consent.client_ip = row.text(7);
        consent.user_agent = row.text(8);
        consent.consent_version = row.text(9);
        found.push_back(std::move(consent));
      });
      if (!ran) return ran.error();
      return found;
    });
  }

  Result<void> append_audit(AuditEvent event) {
    return in_transaction([&](Connection& c) -> Result<void> {
      auto ran = run(c, sql::append_audit,
                     {encoding::to_micros(event.at), event.tenant_id, event.user_id, event.provider,
                      event.integration_id, to_string(event.action), join_scopes(event.scopes), event.client_ip,
                      event.user_agent, std::int64_t{event.success}, event.reason});
      if (!ran) return ran.error();
      return {};
    });
  }

  Result<std::vector<AuditEvent>> audit_log(Owner owner) const {
    return with_connection([&](Connection& c) -> Result<std::vector<AuditEvent>> {
      std::vector<AuditEvent> found;
      auto ran = run(c, sql::audit_log, {owner.tenant_id, owner.user_id},
                     [&](auto const& row) { found.push_back(read_audit_event(row)); });
      if (!ran) return ran.error();
      return found;
    });
  }

  Result<void> keep_newest_audit(Owner owner, std::size_t keep) {
    auto const offset = static_cast<std::int64_t>(std::min<std::size_t>(keep, INT64_MAX));
    return in_transaction([&](Connection& c) -> Result<void> {
      auto ran =
          run(c, sql::keep_newest_audit, {owner.tenant_id, owner.user_id, owner.tenant_id, owner.user_id, offset});
      if (!ran) return ran.error();
      return {};
    });
  }

  Result<AuditPage> audit_page(Owner owner, AuditQuery query) const {
    // One row more than the page: whether there is a next one.
    auto const before = static_cast<std::int64_t>(
        std::min<std::uint64_t>(query.before.value_or(INT64_MAX), static_cast<std::uint64_t>(INT64_MAX)));
    auto const rows = static_cast<std::int64_t>(query.limit) + 1;
    return with_connection([&](Connection& c) -> Result<AuditPage> {
      AuditPage page;
      std::int64_t last = 0;
      auto ran = run(c, sql::audit_page, {owner.tenant_id, owner.user_id, before, rows}, [&](auto const& row) {
        if (page.events.size() == query.limit) {
          page.next = static_cast<std::uint64_t>(last);
          return;
        }
        page.events.push_back(read_audit_event(row));
        last = row.integer(11);
      });
      if (!ran) return ran.error();
      return page;
    });
  }

  Result<bool> try_acquire_refresh_lease(Owner owner, std::string_view id, std::string_view holder, TimePoint now,
                                         TimePoint until) {
    return in_transaction([&](Connection& c) -> Result<bool> {
      auto taken =
          run(c, sql::acquire_lease,
              {holder, encoding::to_micros(until), id, owner.tenant_id, owner.user_id, encoding::to_micros(now)});
      if (!taken) return taken.error();
      if (*taken == 1) return true;
      auto exists = run(c, sql::owned, {id, owner.tenant_id, owner.user_id});
      if (!exists) return exists.error();
      if (*exists == 0) return Error(Errc::integration_not_found);
      return false;
    });
  }

  Result<void> release_refresh_lease(Owner owner, std::string_view id, std::string_view holder) {
    return in_transaction([&](Connection& c) -> Result<void> {
      auto ran = run(c, sql::release_lease, {id, holder, id, owner.tenant_id, owner.user_id});
      if (!ran) return ran.error();
      return {};
    });
  }

  Result<void> replace_resources(Owner owner, std::string_view id, std::string_view kind,
                                 std::vector<CachedResource> const& resources, TimePoint at) {
    return in_transaction([&](Connection& c) -> Result<void> {
      // Without the lock, two replacements at once (two instances listing one workspace)
      // would each insert what the other's delete could not see yet.
      auto exists = run(c, sql::lock_owned, {id, owner.tenant_id, owner.user_id});
      if (!exists) return exists.error();
      if (*exists == 0) return Error(Errc::integration_not_found);
      if (auto deleted = run(c, sql::delete_resources_of_kind, {id, kind}); !deleted) return deleted.error();
      for (auto const& r : resources) {
        auto written =
            run(c, sql::insert_resource,
                {id, kind, r.id, r.title, r.icon_type, r.icon, r.properties, r.object, encoding::to_micros(at)});
        if (!written) return written.error();
      }
      return {};
    });
  }

  Result<std::vector<CachedResource>> list_resources(Owner owner, std::string_view id, std::string_view kind) const {
    return with_connection([&](Connection& c) -> Result<std::vector<CachedResource>> {
      auto exists = run(c, sql::owned, {id, owner.tenant_id, owner.user_id});
      if (!exists) return exists.error();
      if (*exists == 0) return Error(Errc::integration_not_found);
      std::vector<CachedResource> found;
      auto ran = run(c, sql::list_resources, {id, owner.tenant_id, owner.user_id, kind}, [&](auto const& row) {
        found.push_back({std::string(row.text(0)), std::string(row.text(1)), std::string(row.text(2)),
                         std::string(row.text(3)), std::string(row.text(4)), std::string(row.text(5)),
                         std::string(row.text(6)), std::string(row.text(7)), encoding::from_micros(row.integer(8))});
      });
      if (!ran) return ran.error();
      return found;
    });
  }

  Result<void> erase_user(Owner owner) {
    return in_transaction([&](Connection& c) -> Result<void> {
      for (auto const& statement : sql::erase_user)
        if (auto erased = run(c, statement, {owner.tenant_id, owner.user_id}); !erased) return erased.error();
      return {};
    });
  }

  Result<void> save_scope_catalogue(std::string_view provider, std::vector<ScopeRecord> scopes) {
    return in_transaction([&](Connection& c) -> Result<void> {
      std::vector<std::string> stale;
      auto listed = run(c, sql::catalogue_names, {provider}, [&](auto const& row) {
        auto const name = row.text(0);
        if (std::none_of(scopes.begin(), scopes.end(), [&](auto const& s) { return s.name == name; }))
          stale.emplace_back(name);
      });
      if (!listed) return listed.error();
      for (auto const& name : stale)
        if (auto deleted = run(c, sql::delete_scope, {provider, name}); !deleted) return deleted.error();
      for (auto const& s : scopes) {
        auto written = run(
            c, sql::upsert_scope,
            {provider, s.name, s.description, s.category, s.set, std::int64_t{s.required}, std::int64_t{s.dangerous}});
        if (!written) return written.error();
      }
      return {};
    });
  }

  Result<std::vector<ScopeRecord>> scope_catalogue(std::string_view provider) const {
    return with_connection([&](Connection& c) -> Result<std::vector<ScopeRecord>> {
      std::vector<ScopeRecord> found;
      auto ran = run(c, sql::scope_catalogue, {provider}, [&](auto const& row) {
        found.push_back({std::string(row.text(0)), std::string(row.text(1)), std::string(row.text(2)),
                         std::string(row.text(3)), std::string(row.text(4)), row.integer(5) != 0, row.integer(6) != 0});
      });
      if (!ran) return ran.error();
      return found;
    });
  }

  Result<std::vector<IntegrationRecord>> scan_integrations(std::string_view after_id, std::size_t limit) const {
    return with_connection([&](Connection& c) -> Result<std::vector<IntegrationRecord>> {
      std::vector<IntegrationRecord> page;
      auto ran = run(c, sql::scan_integrations, {after_id, static_cast<std::int64_t>(limit)},
                     [&](auto const& row) { page.push_back(read_integration(row)); });
      if (!ran) return ran.error();
      return page;
    });
  }

  Result<std::optional<std::string>> setting(std::string_view name) const {
    return with_connection([&](Connection& c) -> Result<std::optional<std::string>> {
      std::optional<std::string> value;
      auto ran = run(c, sql::read_setting, {name}, [&](auto const& row) { value = std::string(row.text(0)); });
      if (!ran) return ran.error();
      return value;
    });
  }

  Result<void> put_setting(std::string_view name, std::string_view value) {
    return in_transaction([&](Connection& c) -> Result<void> {
      auto ran = run(c, sql::write_setting, {name, value});
      if (!ran) return ran.error();
      return {};
    });
  }

  /// A slot of the rate bucket `key`, kept in the database for every process that shares
  /// it (store/rate_slots.hpp). Not written ahead of a crash: a bucket lost with the server
  /// is only a bucket that starts full again.
  Result<oauth::store::RateSlot> reserve_rate_slot(
      std::string_view key, oauth::store::RateSpacing spacing,
      oauth::store::SlotRequest request) requires Driver::shares_rate_slots {
    if (!spacing.limits()) return oauth::store::RateSlot{};
    return with_connection([&](Connection& c) -> Result<oauth::store::RateSlot> {
      if (shared_->rate_slots_taken.fetch_add(1, std::memory_order_relaxed) % rate_slot_sweep_every == 0)
        if (auto swept = run(c, sql::sweep_rate_slots, {}); !swept) return swept.error();
      std::int64_t const refusable = request == oauth::store::SlotRequest::take_if_free ? 1 : 0;
      // No row: the bucket was made by another caller since this statement began, and
      // refused this one; its next slot is about one interval away.
      oauth::store::RateSlot slot{false, spacing.interval};
      auto ran = run(c, sql::rate_slot,
                     {key, std::int64_t{spacing.interval.count()}, std::int64_t{spacing.tolerance.count()}, refusable},
                     [&](auto const& row) {
                       slot = {row.integer(0) == 1, std::chrono::microseconds(row.integer(1))};
                     });
      if (!ran) return ran.error();
      return slot;
    });
  }

private:
  /// How many slots are taken between two sweeps of the buckets that went idle.
  static constexpr std::uint64_t rate_slot_sweep_every = 1024;

  struct Shared {
    explicit Shared(Options const& o)
        : options(o),
          pool([this] { return Driver::connect(options); }, Driver::pool_size(o)),
          commits(Driver::commit_lanes(o)) {}
    Options options;
    ConnectionPool<Connection> pool;
    GroupCommit<Connection> commits;
    std::atomic<std::uint64_t> rate_slots_taken{0};
    std::atomic<std::int64_t> states_purged_at{std::numeric_limits<std::int64_t>::min()};
  };

  /// Whether forgotten states are to be deleted with a state made `at`: a minute after
  /// the last time, or when the clock has gone back. One caller of many arriving at once.
  bool purge_due(TimePoint at) const {
    auto const now = encoding::to_micros(at);
    auto last = shared_->states_purged_at.load(std::memory_order_relaxed);
    bool const due =
        last == std::numeric_limits<std::int64_t>::min() || now < last || now - last >= std::int64_t{60'000'000};
    return due && shared_->states_purged_at.compare_exchange_strong(last, now, std::memory_order_relaxed);
  }

  explicit SqlBackend(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  static Result<std::size_t> run(Connection& c, Statement const& statement, std::initializer_list<Value> params) {
    return c.run(statement, std::span<Value const>(params.begin(), params.size()), [](auto const&) {});
  }

  template <class OnRow>
  static Result<std::size_t> run(Connection& c, Statement const& statement, std::initializer_list<Value> params,
                                 OnRow&& on_row) {
    return c.run(statement, std::span<Value const>(params.begin(), params.size()), std::forward<OnRow>(on_row));
  }

  /// `work()` with this thread's calls of the backend sharing `shared` joining the
  /// transaction on `c`.
  template <class Work>
  static Result<void> joining(Shared const* shared, Connection& c, Work& work) {
    JoinedTransaction const here{shared, &c};
    struct Restore {
      JoinedTransaction const* outer = std::exchange(joined_transaction(), nullptr);
      Restore() = default;
      Restore(Restore const&) = delete;
      Restore& operator=(Restore const&) = delete;
      Restore(Restore&&) = delete;
      Restore& operator=(Restore&&) = delete;
      ~Restore() { joined_transaction() = outer; }
    } restore;
    joined_transaction() = &here;
    return work();
  }

  /// The connection of the transaction this thread's calls join (together()), if any.
  Connection* joined() const noexcept {
    auto const* j = joined_transaction();
    if (j == nullptr || j->shared != shared_.get()) return nullptr;
    return static_cast<Connection*>(j->connection);
  }

  template <class F>
  auto with_connection(F&& body) const -> decltype(body(std::declval<Connection&>())) {
    if (auto* c = joined()) return body(*c);
    return shared_->pool.with_connection([&](Connection& c, bool&) { return body(c); });
  }

  /// Runs `body` in a transaction, shared with the writes that arrive with it (GroupCommit):
  /// committed when it succeeds, rolled back otherwise, and its outcome told only once the
  /// commit is done. A connection lost before COMMIT leaves nothing behind, so that is
  /// retried; a lost COMMIT may or may not have landed, so that is not.
  template <class F>
  auto in_transaction(F&& body, Durability durability = Durability::full) const
      -> decltype(body(std::declval<Connection&>())) {
    if (auto* c = joined()) return in_savepoint(*c, body);
    std::optional<decltype(body(std::declval<Connection&>()))> result;
    auto work = [&](Connection& c) -> Result<void> {
      result.emplace(body(c));
      if (!*result) return result->error();
      return {};
    };
    auto outcome = shared_->commits.run(shared_->pool, durability, work);
    if (!outcome) return outcome.error();
    return std::move(*result);
  }

  /// `body` inside the transaction a together() runs: undone alone when it fails. In a
  /// bare pass (GroupCommit) it runs as it is, and a failure spoils the pass.
  template <class F>
  static auto in_savepoint(Connection& c, F& body) -> decltype(body(c)) {
    if (auto* pass = bare_pass()) {
      auto result = body(c);
      if (!result) pass->spoiled = true;
      return result;
    }
    if (auto saved = c.execute_statement("SAVEPOINT oauth_joined"); !saved) return saved.error();
    auto result = body(c);
    if (!result)
      if (auto undone = c.execute_statement("ROLLBACK TO SAVEPOINT oauth_joined"); !undone) return undone.error();
    if (auto released = c.execute_statement("RELEASE SAVEPOINT oauth_joined"); !released) return released.error();
    return result;
  }

  Result<void> migrate() {
    return in_transaction([&](Connection& c) -> Result<void> {
      if (auto ready = Driver::before_migration(c, shared_->options); !ready) return ready.error();
      if (auto made = c.execute_script("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); !made)
        return made.error();
      std::optional<std::int64_t> current;
      auto read = run(c, sql::read_schema_version, {}, [&](auto const& row) { current = row.integer(0); });
      if (!read) return read.error();
      if (current && *current > schema_version)
        return Error(Errc::schema_too_new, "the store is at schema version " + std::to_string(*current) +
                                               "; this library knows up to " + std::to_string(schema_version) +
                                               ": upgrade the library, or use a store of this version");
      for (auto version = current.value_or(0); version < schema_version; ++version) {
        auto script = dialect(sql::migrations[static_cast<std::size_t>(version)]);
        if (auto applied = c.execute_script(script); !applied) return applied.error();
      }
      auto const target = std::int64_t{schema_version};
      auto stamped =
          current ? run(c, sql::update_schema_version, {target}) : run(c, sql::insert_schema_version, {target});
      if (!stamped) return stamped.error();
      return {};
    });
  }

  static std::string dialect(std::string_view text) {
    std::string out(text);
    auto replace_all = [&](std::string_view word, std::string_view with) {
      for (auto at = out.find(word); at != std::string::npos; at = out.find(word, at + with.size()))
        out.replace(at, word.size(), with);
    };
    replace_all("{bigint}", Driver::bigint);
    replace_all("{serial}", Driver::serial_key);
    replace_all("{unlogged}", Driver::unlogged);
    return out;
  }

  static Result<IntegrationRecord> find(Connection& c, Owner owner, std::string_view id) {
    std::optional<IntegrationRecord> found;
    auto ran = run(c, sql::find_integration, {id, owner.tenant_id, owner.user_id},
                   [&](auto const& row) { found = read_integration(row); });
    if (!ran) return ran.error();
    if (!found) return Error(Errc::integration_not_found);
    return std::move(*found);
  }

  static Value refresh_value(IntegrationRecord const& record) {
    if (record.refresh_token_ciphertext.empty()) return nullptr;
    return std::string_view(record.refresh_token_ciphertext);
  }

  static std::optional<std::int64_t> expiry(IntegrationRecord const& record) {
    if (!record.expires_at) return std::nullopt;
    return encoding::to_micros(*record.expires_at);
  }

  template <class Row>
  static std::optional<std::string> optional_text(Row const& row, int column) {
    if (row.is_null(column)) return std::nullopt;
    return std::string(row.text(column));
  }

  template <class Row>
  static std::optional<TimePoint> optional_time(Row const& row, int column) {
    if (row.is_null(column)) return std::nullopt;
    return encoding::from_micros(row.integer(column));
  }

  /// An audit row as audit_log and audit_page select it (its first eleven columns).
  template <class Row>
  static AuditEvent read_audit_event(Row const& row) {
    AuditEvent event;
    event.at = encoding::from_micros(row.integer(0));
    event.tenant_id = row.text(1);
    event.user_id = row.text(2);
    event.provider = row.text(3);
    event.integration_id = row.text(4);
    event.action = audit_action_named(row.text(5)).value_or(AuditAction::connect);
    event.scopes = split_scopes(row.text(6));
    event.client_ip = row.text(7);
    event.user_agent = row.text(8);
    event.success = row.integer(9) != 0;
    event.reason = row.text(10);
    return event;
  }

  template <class Row>
  static IntegrationRecord read_integration(Row const& row) {
    IntegrationRecord r;
    r.id = row.text(0);
    r.tenant_id = row.text(1);
    r.user_id = row.text(2);
    r.provider = row.text(3);
    r.account_id = row.text(4);
    r.identity.account_id = row.text(5);
    r.status = integration_status_named(row.text(6)).value_or(IntegrationStatus::pending);
    r.scopes = split_scopes(row.text(7));
    r.identity.email = optional_text(row, 8);
    if (!row.is_null(9)) r.identity.email_verified = row.integer(9) != 0;
    r.identity.name = optional_text(row, 10);
    r.identity.picture = optional_text(row, 11);
    r.version = static_cast<std::uint64_t>(row.integer(12));
    r.created_at = encoding::from_micros(row.integer(13));
    r.updated_at = encoding::from_micros(row.integer(14));
    r.last_used_at = optional_time(row, 15);
    r.last_validated_at = optional_time(row, 16);
    if (!row.is_null(17)) {
      r.access_token_ciphertext = row.text(17);
      if (!row.is_null(18)) r.refresh_token_ciphertext = row.text(18);
      r.token_type = row.text(19);
      r.expires_at = optional_time(row, 20);
      r.token_issued_at = encoding::from_micros(row.integer(21));
      r.key_id = row.text(22);
    }
    if (!row.is_null(23)) {
      Workspace w;
      w.id = row.text(23);
      w.name = optional_text(row, 24);
      w.icon = optional_text(row, 25);
      w.bot_id = optional_text(row, 26);
      w.owned_by_workspace = row.integer(27) != 0;
      w.owner_json = optional_text(row, 28);
      w.duplicated_template_id = optional_text(row, 29);
      w.request_id = optional_text(row, 30);
      r.identity.workspace = std::move(w);
    }
    return r;
  }

  std::shared_ptr<Shared> shared_;
};

}  // namespace oauth::detail::store

#endif
