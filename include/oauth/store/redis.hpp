#ifndef OAUTH_STORE_REDIS_HPP
#define OAUTH_STORE_REDIS_HPP

// Link with hiredis (CMake: oauth::redis).

#include <oauth/detail/encoding/time.hpp>
#include <oauth/detail/http/url.hpp>
#include <oauth/detail/store/connection_pool.hpp>
#include <oauth/detail/store/redis_connection.hpp>
#include <oauth/detail/store/redis_scripts.hpp>
#include <oauth/detail/store/sql.hpp>
#include <oauth/detail/store/store_port.hpp>
#include <oauth/error.hpp>
#include <oauth/store/rate_slots.hpp>
#include <oauth/store/record_json.hpp>
#include <oauth/store/records.hpp>
#include <oauth/store/token_store.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace oauth::store {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password = {};
  int database = 0;
  /// Every key starts with this and a colon: several applications can share a server.
  std::string prefix = "oauth";
  std::size_t max_connections = 8;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{10000};

  /// redis://[:password@]host[:port][/database], an RFC 3986 URI: a password with reserved
  /// characters is percent-encoded. Redis ACL users are not supported.
  static Result<RedisOptions> from_url(std::string_view text) {
    auto const bad = [](std::string_view why) {
      return Error(Errc::invalid_argument,
                   "Redis URL: " + std::string(why) + " (redis://[:password@]host[:port][/database])");
    };
    auto const uri = oauth::detail::http::parse_url(text);
    if (!uri || uri->scheme() != "redis" || !uri->has_authority()) return bad("not a redis:// URI");
    if (uri->has_query() || uri->has_fragment()) return bad("takes no parameters");
    RedisOptions options;
    if (!uri->user().empty()) return bad("ACL users are not supported: give only a password");
    options.password = uri->password();
    if (auto const host = uri->host_address(); !host.empty()) options.host = host;
    if (uri->has_port()) {
      auto const port = uri->port();
      auto const [end, ec] = std::from_chars(port.data(), port.data() + port.size(), options.port);
      if (ec != std::errc{} || end != port.data() + port.size() || options.port < 1 || options.port > 65535)
        return bad("the port must be a number from 1 to 65535");
    }
    auto const path = uri->encoded_path();
    if (path.size() > 1) {
      auto const db = std::string_view(path).substr(1);
      auto const [end, ec] = std::from_chars(db.data(), db.data() + db.size(), options.database);
      if (ec != std::errc{} || end != db.data() + db.size() || options.database < 0)
        return bad("the database must be a number");
    }
    return options;
  }
};

/// Tokens in Redis, shared by every instance of a service. An integration is a hash;
/// each multi-key change is a Lua script, so it is atomic. Flow states expire by TTL an
/// hour after their own expiry. For a single Redis server or a primary with replicas, not
/// Redis Cluster (the scripts touch keys they compute).
class RedisBackend {
public:
  static constexpr int schema_version = 1;

  static Result<RedisBackend> open(RedisOptions options) {
    RedisBackend backend(std::make_shared<Shared>(std::move(options)));
    if (auto checked = backend.check_schema(); !checked) return checked.error();
    return backend;
  }

  RedisOptions const& options() const noexcept { return shared_->options; }

  Result<void> put_state(FlowStateRecord const& state) {
    auto const forget_at =
        std::to_string(oauth::detail::encoding::to_micros(state.expires_at + std::chrono::hours(1)) / 1000);
    Fields fields;
    fields.set("provider", state.provider);
    fields.set("tenant_id", state.tenant_id);
    fields.set("user_id", state.user_id);
    fields.set("session_id", state.session_id);
    fields.set("scopes", oauth::detail::store::join_scopes(state.scopes));
    fields.set("code_verifier", state.code_verifier_ciphertext);
    fields.set("redirect_uri", state.redirect_uri);
    fields.set("created_at", micros(state.created_at));
    fields.set("expires_at", micros(state.expires_at));
    fields.set("used", "0");
    auto const state_key = key("state", state.state);
    auto const owner_states = key("states", state.tenant_id, state.user_id);
    auto reply =
        eval(oauth::detail::store::redis_scripts::put_state, {state_key, owner_states}, fields.arguments({forget_at}));
    if (!reply) return reply.error();
    if ((*reply)->integer == 0) return Error(Errc::store_conflict, "authorization state already exists");
    return {};
  }

  Result<FlowStateRecord> take_state(std::string_view state, std::string_view session_id, TimePoint now) {
    auto const remembered_since = micros(now - std::chrono::hours(1));
    auto reply = eval(oauth::detail::store::redis_scripts::take_state, {key("state", state)},
                      {remembered_since, std::string(session_id)});
    if (!reply) return reply.error();
    auto const outcome = (*reply)->element[0]->integer;
    if (outcome == 0) return Error(Errc::state_not_found);
    if (outcome == 1) return Error(Errc::state_already_used);
    if (outcome == 3) return Error(Errc::state_mismatch);
    auto fields = hash_of((*reply)->element[1]);
    FlowStateRecord record{std::string(state),
                           fields["provider"],
                           fields["tenant_id"],
                           fields["user_id"],
                           fields["session_id"],
                           oauth::detail::store::split_scopes(fields["scopes"]),
                           fields["code_verifier"],
                           fields["redirect_uri"],
                           time_of(fields["created_at"]),
                           time_of(fields["expires_at"])};
    if (record.expires_at <= now) return Error(Errc::state_expired);
    return record;
  }

  Result<IntegrationRecord> save_connection(IntegrationRecord const& record, ConsentRecord const& consent) {
    auto fields = integration_fields(record);
    fields.set("status", to_string(IntegrationStatus::active));
    auto const consent_json = boost::json::serialize(to_json(consent));
    auto const created = micros(record.updated_at);
    auto reply = eval(oauth::detail::store::redis_scripts::save_connection,
                      {key("account", record.tenant_id, record.user_id, record.provider, record.account_id),
                       key("integrations", record.tenant_id, record.user_id), key("ids"),
                       key("consents", record.tenant_id, record.user_id)},
                      fields.arguments({integration_prefix(), record.id, created, consent_json}));
    if (!reply) return reply.error();
    return integration_of(hash_of(reply->get()));
  }

  Result<IntegrationRecord> find_integration(Owner owner, std::string_view id) const {
    auto const integration_key = integration_prefix() + std::string(id);
    auto reply = command({"HGETALL", integration_key});
    if (!reply) return reply.error();
    auto fields = hash_of(reply->get());
    if (fields.empty() || fields["tenant_id"] != owner.tenant_id || fields["user_id"] != owner.user_id)
      return Error(Errc::integration_not_found);
    return integration_of(std::move(fields));
  }

  Result<AccessRecord> find_access(Owner owner, std::string_view id) const {
    auto const integration_key = integration_prefix() + std::string(id);
    auto reply = command({"HMGET", integration_key, "tenant_id", "user_id", "provider", "status", "version",
                          "access_token", "key_id", "expires_at", "issued_at", "scopes", "last_used_at"});
    if (!reply) return reply.error();
    auto const* fields = reply->get();
    auto field = [&](std::size_t i) -> std::optional<std::string_view> {
      auto const* e = fields->element[i];
      if (e->type != REDIS_REPLY_STRING) return std::nullopt;
      return std::string_view(e->str, e->len);
    };
    if (fields->type != REDIS_REPLY_ARRAY || fields->elements != 11 || field(0) != owner.tenant_id ||
        field(1) != owner.user_id)
      return Error(Errc::integration_not_found);
    AccessRecord r;
    r.id = id;
    r.tenant_id = owner.tenant_id;
    r.user_id = owner.user_id;
    r.provider = field(2).value_or("");
    auto status = integration_status_named(field(3).value_or(""));
    if (!status)
      return Error(Errc::store_failure, "Redis: integration " + oauth::detail::encoding::printable_line(r.id, 64) +
                                            " has an unknown status");
    r.status = *status;
    r.version = static_cast<std::uint64_t>(number_of(field(4).value_or("0")));
    r.access_token_ciphertext = field(5).value_or("");
    r.key_id = field(6).value_or("");
    if (auto expires = field(7)) r.expires_at = time_of(*expires);
    r.token_issued_at = time_of(field(8).value_or("0"));
    r.scopes = oauth::detail::store::split_scopes(field(9).value_or(""));
    if (auto used = field(10)) r.last_used_at = time_of(*used);
    return r;
  }

  Result<std::vector<IntegrationRecord>> list_integrations(Owner owner) const {
    auto const owner_key = key("integrations", owner.tenant_id, owner.user_id);
    return with_connection([&](Connection& c) -> Result<std::vector<IntegrationRecord>> {
      auto ids = c.command({"ZRANGE", owner_key, "0", "-1"});
      if (!ids) return ids.error();
      return read_integrations(c, ids->get());
    });
  }

  Result<IntegrationRecord> update_tokens(IntegrationRecord const& record, std::uint64_t expected_version) {
    Fields fields;
    token_fields(fields, record);
    fields.set("updated_at", micros(record.updated_at));
    fields.set("scopes", oauth::detail::store::join_scopes(record.scopes));
    auto reply = eval(oauth::detail::store::redis_scripts::update_tokens, {integration_prefix() + record.id},
                      fields.arguments({record.tenant_id, record.user_id, std::to_string(expected_version)}));
    return changed_integration(std::move(reply));
  }

  Result<IntegrationRecord> set_status(Owner owner, std::string_view id, IntegrationStatus status, TimePoint at) {
    Fields fields;
    fields.set("status", to_string(status));
    fields.set("updated_at", micros(at));
    return update_owned(owner, id, true, fields);
  }

  Result<void> record_use(Owner owner, std::string_view id, UseKind use, TimePoint at) {
    Fields fields;
    fields.set(use == UseKind::used ? "last_used_at" : "last_validated_at", micros(at));
    auto updated = update_owned(owner, id, false, fields);
    if (!updated) return updated.error();
    return {};
  }

  Result<IntegrationRecord> disconnect(Owner owner, std::string_view id, TimePoint at) {
    auto reply = eval(oauth::detail::store::redis_scripts::disconnect,
                      {integration_prefix() + std::string(id), lease_prefix() + std::string(id),
                       key("consents", owner.tenant_id, owner.user_id), resources_prefix() + std::string(id)},
                      {std::string(owner.tenant_id), std::string(owner.user_id), std::string(id), micros(at)});
    return changed_integration(std::move(reply));
  }

  Result<std::vector<ConsentRecord>> list_consents(Owner owner) const {
    return read_list<ConsentRecord>(key("consents", owner.tenant_id, owner.user_id), consent_from_json);
  }

  Result<void> append_audit(AuditEvent const& event) {
    auto const text = boost::json::serialize(to_json(event));
    auto reply = command({"RPUSH", key("audit", event.tenant_id, event.user_id), text});
    if (!reply) return reply.error();
    return {};
  }

  Result<std::vector<AuditEvent>> audit_log(Owner owner) const {
    return read_list<AuditEvent>(key("audit", owner.tenant_id, owner.user_id), audit_event_from_json);
  }

  // The unattributed log is the one trimmed (TokenStore::audit), and nobody pages it: a
  // trim shifts the positions pages are read by.
  Result<void> keep_newest_audit(Owner owner, std::size_t keep) {
    auto const first = keep == 0 ? std::string("1") : "-" + std::to_string(keep);
    auto const last = keep == 0 ? std::string("0") : std::string("-1");
    auto reply = command({"LTRIM", key("audit", owner.tenant_id, owner.user_id), first, last});
    if (!reply) return reply.error();
    return {};
  }

  // Positions are the list's indexes: it only grows, until the user is erased or trimmed.
  Result<AuditPage> audit_page(Owner owner, AuditQuery query) const {
    auto const list_key = key("audit", owner.tenant_id, owner.user_id);
    long long end = 0;  // one past the newest entry the page may hold
    if (query.before) {
      end = static_cast<long long>(std::min<std::uint64_t>(*query.before, std::numeric_limits<long long>::max()));
    } else {
      auto length = command({"LLEN", list_key});
      if (!length) return length.error();
      end = (*length)->integer;
    }
    AuditPage page;
    if (end <= 0) return page;
    auto const start = std::max<long long>(0, end - static_cast<long long>(query.limit));
    auto items = read_list<AuditEvent>(list_key, audit_event_from_json, std::to_string(start), std::to_string(end - 1));
    if (!items) return items.error();
    page.events.assign(std::make_move_iterator(items->rbegin()), std::make_move_iterator(items->rend()));
    if (start > 0) page.next = static_cast<std::uint64_t>(start);
    return page;
  }

  Result<bool> try_acquire_refresh_lease(Owner owner, std::string_view id, std::string_view holder, TimePoint now,
                                         TimePoint until) {
    auto const ttl =
        std::max<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 60'000, 1);
    auto reply = eval(oauth::detail::store::redis_scripts::acquire_lease,
                      {integration_prefix() + std::string(id), lease_prefix() + std::string(id)},
                      {std::string(owner.tenant_id), std::string(owner.user_id), std::string(holder), micros(now),
                       micros(until), std::to_string(ttl)});
    if (!reply) return reply.error();
    if ((*reply)->type == REDIS_REPLY_STRING) return Error(Errc::integration_not_found);
    return (*reply)->integer == 1;
  }

  Result<void> release_refresh_lease(Owner owner, std::string_view id, std::string_view holder) {
    auto reply = eval(oauth::detail::store::redis_scripts::release_lease,
                      {integration_prefix() + std::string(id), lease_prefix() + std::string(id)},
                      {std::string(owner.tenant_id), std::string(owner.user_id), std::string(holder)});
    if (!reply) return reply.error();
    return {};
  }

  Result<void> erase_user(Owner owner) {
    auto reply =
        eval(oauth::detail::store::redis_scripts::erase_user,
             {key("integrations", owner.tenant_id, owner.user_id), key("consents", owner.tenant_id, owner.user_id),
              key("audit", owner.tenant_id, owner.user_id), key("states", owner.tenant_id, owner.user_id), key("ids")},
             {integration_prefix(), lease_prefix(), resources_prefix()});
    if (!reply) return reply.error();
    return {};
  }

  Result<void> save_scope_catalogue(std::string_view provider, std::vector<ScopeRecord> const& scopes) {
    boost::json::array entries;
    for (auto const& s : scopes)
      entries.push_back({{"name", s.name},
                         {"description", s.description},
                         {"category", s.category},
                         {"set", s.set},
                         {"required", s.required},
                         {"dangerous", s.dangerous}});
    auto const text = boost::json::serialize(entries);
    auto reply = command({"SET", key("catalogue", provider), text});
    if (!reply) return reply.error();
    return {};
  }

  Result<std::vector<ScopeRecord>> scope_catalogue(std::string_view provider) const {
    auto reply = command({"GET", key("catalogue", provider)});
    if (!reply) return reply.error();
    std::vector<ScopeRecord> scopes;
    if ((*reply)->type != REDIS_REPLY_STRING) return scopes;
    boost::system::error_code ec;
    auto json = boost::json::parse(std::string_view((*reply)->str, (*reply)->len), ec);
    if (ec || !json.is_array()) return Error(Errc::store_failure, "Redis: scope catalogue is not a JSON array");
    for (auto const& entry : json.get_array()) {
      oauth::detail::record_json::Reader in(entry, "scope");
      ScopeRecord scope{std::string(provider), in.string("name"),      in.string("description"), in.string("category"),
                        in.string("set"),      in.boolean("required"), in.boolean("dangerous")};
      auto checked = in.finish(std::move(scope));
      if (!checked) return checked.error();
      scopes.push_back(std::move(*checked));
    }
    std::sort(scopes.begin(), scopes.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    return scopes;
  }

  Result<std::vector<IntegrationRecord>> scan_integrations(std::string_view after_id, std::size_t limit) const {
    auto const from = after_id.empty() ? std::string("-") : "(" + std::string(after_id);
    auto const ids_key = key("ids");
    auto const count = std::to_string(limit);
    return with_connection([&](Connection& c) -> Result<std::vector<IntegrationRecord>> {
      auto ids = c.command({"ZRANGEBYLEX", ids_key, from, "+", "LIMIT", "0", count});
      if (!ids) return ids.error();
      return read_integrations(c, ids->get());
    });
  }

  /// One hash per integration: field "<kind>\n<id>", value the resource as JSON.
  Result<void> replace_resources(Owner owner, std::string_view id, std::string_view kind,
                                 std::vector<CachedResource> resources, TimePoint at) {
    auto const prefix = std::string(kind) + '\n';
    std::vector<std::string> args{std::string(owner.tenant_id), std::string(owner.user_id), prefix};
    for (auto& resource : resources) {
      resource.refreshed_at = at;
      args.push_back(prefix + resource.id);
      args.push_back(boost::json::serialize(to_json(resource)));
    }
    auto reply = eval(oauth::detail::store::redis_scripts::replace_resources,
                      {integration_prefix() + std::string(id), resources_prefix() + std::string(id)}, args);
    if (!reply) return reply.error();
    if ((*reply)->type == REDIS_REPLY_STRING) return Error(Errc::integration_not_found);
    return {};
  }

  Result<std::vector<CachedResource>> list_resources(Owner owner, std::string_view id, std::string_view kind) const {
    if (auto found = find_integration(owner, id); !found) return found.error();
    auto reply = command({"HGETALL", resources_prefix() + std::string(id)});
    if (!reply) return reply.error();
    auto const prefix = std::string(kind) + '\n';
    std::vector<CachedResource> found;
    for (auto const& [field, text] : hash_of(reply->get())) {
      if (!field.starts_with(prefix)) continue;
      boost::system::error_code ec;
      auto json = boost::json::parse(text, ec);
      if (ec) return Error(Errc::store_failure, "Redis: a cached resource is not JSON");
      auto resource = cached_resource_from_json(json);
      if (!resource) return Error(Errc::store_failure, "Redis: " + resource.error().description);
      found.push_back(std::move(*resource));
    }
    std::sort(found.begin(), found.end(),
              [](auto const& a, auto const& b) { return std::tie(a.title, a.id) < std::tie(b.title, b.id); });
    return found;
  }

  Result<std::optional<std::string>> setting(std::string_view name) const {
    auto reply = command({"HGET", key("settings"), name});
    if (!reply) return reply.error();
    if ((*reply)->type != REDIS_REPLY_STRING) return std::optional<std::string>{};
    return std::optional<std::string>(std::string((*reply)->str, (*reply)->len));
  }

  Result<void> put_setting(std::string_view name, std::string_view value) {
    auto reply = command({"HSET", key("settings"), name, value});
    if (!reply) return reply.error();
    return {};
  }

  /// A slot of the rate bucket `key`, kept in Redis for every process that shares it
  /// (store/rate_slots.hpp).
  Result<RateSlot> reserve_rate_slot(std::string_view bucket, RateSpacing spacing, SlotRequest request) {
    if (!spacing.limits()) return RateSlot{};
    auto reply = eval(oauth::detail::store::redis_scripts::rate_slot, {key("rate", bucket)},
                      {std::to_string(spacing.interval.count()), std::to_string(spacing.tolerance.count()),
                       request == SlotRequest::take_if_free ? "1" : "0"});
    if (!reply) return reply.error();
    auto const* answer = reply->get();
    if (answer->type != REDIS_REPLY_ARRAY || answer->elements != 2 || answer->element[0]->type != REDIS_REPLY_INTEGER ||
        answer->element[1]->type != REDIS_REPLY_INTEGER)
      return Error(Errc::store_failure, "Redis: a rate slot answer that is not two integers");
    return RateSlot{answer->element[0]->integer == 1, std::chrono::microseconds(answer->element[1]->integer)};
  }

private:
  using Connection = oauth::detail::store::RedisConnection;
  using Pool = oauth::detail::store::ConnectionPool<Connection>;

  struct Shared {
    explicit Shared(RedisOptions o)
        : options(std::move(o)), pool([this] { return Connection::open(endpoint()); }, options.max_connections) {}
    Connection::Endpoint endpoint() const {
      return {options.host,           options.port, options.password, options.database, options.connect_timeout,
              options.command_timeout};
    }
    RedisOptions options;
    Pool pool;
  };

  /// Field names and values for a hash, and names to delete (absent optionals).
  class Fields {
  public:
    void set(std::string_view name, std::string_view value) { pairs_.emplace_back(name, value); }
    void set_optional(std::string_view name, std::optional<std::string> const& value) {
      if (value)
        set(name, *value);
      else
        removed_.emplace_back(name);
    }
    void remove(std::string_view name) { removed_.emplace_back(name); }
    std::vector<std::string> arguments(std::vector<std::string> leading) const {
      leading.push_back(std::to_string(pairs_.size()));
      for (auto const& [name, value] : pairs_) {
        leading.push_back(name);
        leading.push_back(value);
      }
      leading.insert(leading.end(), removed_.begin(), removed_.end());
      return leading;
    }

  private:
    std::vector<std::pair<std::string, std::string>> pairs_;
    std::vector<std::string> removed_;
  };

  using Hash = std::map<std::string, std::string, std::less<>>;

  explicit RedisBackend(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  /// On a pooled connection; once more on a new one when an idle connection turns out
  /// dead (a restarted server). Every command and script is atomic, and repeating one
  /// whose answer was lost is harmless: a compare-and-swap then reports the conflict.
  template <class F>
  auto with_connection(F&& body) const -> decltype(body(std::declval<Connection&>())) {
    return shared_->pool.with_connection([&](Connection& c, bool&) { return body(c); });
  }

  Result<oauth::detail::store::RedisReply> command(std::vector<std::string_view> const& args) const {
    return with_connection([&](Connection& c) { return c.command(args); });
  }

  Result<oauth::detail::store::RedisReply> eval(oauth::detail::store::RedisScript const& script,
                                                std::vector<std::string> const& keys,
                                                std::vector<std::string> const& args) {
    std::vector<std::string_view> key_views(keys.begin(), keys.end());
    std::vector<std::string_view> arg_views(args.begin(), args.end());
    return with_connection([&](Connection& c) { return c.eval(script, key_views, arg_views); });
  }

  Result<void> check_schema() {
    auto const version_key = key("schema_version");
    auto const ours = std::to_string(schema_version);
    auto set = command({"SET", version_key, ours, "NX"});
    auto stored = set ? command({"GET", version_key}) : std::move(set);
    if (!stored) return stored.error();
    int version = 0;
    std::string_view const text((*stored)->str, (*stored)->len);
    std::from_chars(text.data(), text.data() + text.size(), version);
    if (version > schema_version)
      return Error(Errc::schema_too_new, "the store is at schema version " + std::string(text) +
                                             "; this library knows up to " + ours +
                                             ": upgrade the library, or use a store of this version");
    return {};
  }

  /// prefix:kind:part:part..., each part escaped so that no two owners share a key.
  template <class... Parts>
  std::string key(std::string_view kind, Parts const&... parts) const {
    std::string out = shared_->options.prefix;
    out += ':';
    out += kind;
    ((out += ':', escape_into(out, std::string_view(parts))), ...);
    return out;
  }

  static void escape_into(std::string& out, std::string_view part) {
    for (char c : part) {
      if (c == '%')
        out += "%25";
      else if (c == ':')
        out += "%3A";
      else
        out += c;
    }
  }

  std::string integration_prefix() const { return key("integration") + ':'; }
  std::string lease_prefix() const { return key("lease") + ':'; }
  std::string resources_prefix() const { return key("resources") + ':'; }

  static std::string micros(TimePoint at) { return std::to_string(oauth::detail::encoding::to_micros(at)); }

  static std::int64_t number_of(std::string_view text) {
    std::int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
  }

  static TimePoint time_of(std::string_view text) { return oauth::detail::encoding::from_micros(number_of(text)); }

  static Hash hash_of(redisReply const* reply) {
    Hash fields;
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return fields;
    for (std::size_t i = 0; i + 1 < reply->elements; i += 2)
      fields.emplace(std::string(reply->element[i]->str, reply->element[i]->len),
                     std::string(reply->element[i + 1]->str, reply->element[i + 1]->len));
    return fields;
  }

  static void token_fields(Fields& fields, IntegrationRecord const& r) {
    fields.set("access_token", r.access_token_ciphertext);
    if (r.refresh_token_ciphertext.empty())
      fields.remove("refresh_token");
    else
      fields.set("refresh_token", r.refresh_token_ciphertext);
    fields.set("token_type", r.token_type);
    if (r.expires_at)
      fields.set("expires_at", micros(*r.expires_at));
    else
      fields.remove("expires_at");
    fields.set("issued_at", micros(r.token_issued_at));
    fields.set("key_id", r.key_id);
  }

  static Fields integration_fields(IntegrationRecord const& r) {
    Fields fields;
    fields.set("tenant_id", r.tenant_id);
    fields.set("user_id", r.user_id);
    fields.set("provider", r.provider);
    fields.set("account_id", r.account_id);
    fields.set("subject", r.identity.account_id);
    fields.set("scopes", oauth::detail::store::join_scopes(r.scopes));
    fields.set("updated_at", micros(r.updated_at));
    auto const& who = r.identity;
    fields.set_optional("email", who.email);
    if (who.email_verified)
      fields.set("email_verified", *who.email_verified ? "1" : "0");
    else
      fields.remove("email_verified");
    fields.set_optional("name", who.name);
    fields.set_optional("picture", who.picture);
    token_fields(fields, r);
    // Notion's token fields, each a field of its own.
    std::optional<Workspace> const& w = who.workspace;
    auto const none = std::optional<std::string>{};
    fields.set_optional("workspace_id", w ? std::optional(w->id) : none);
    fields.set_optional("workspace_name", w ? w->name : none);
    fields.set_optional("workspace_icon", w ? w->icon : none);
    fields.set_optional("bot_id", w ? w->bot_id : none);
    fields.set_optional("owned_by_workspace", w ? std::optional<std::string>(w->owned_by_workspace ? "1" : "0") : none);
    fields.set_optional("owner", w ? w->owner_json : none);
    fields.set_optional("duplicated_template_id", w ? w->duplicated_template_id : none);
    fields.set_optional("request_id", w ? w->request_id : none);
    return fields;
  }

  static std::optional<std::string> optional_field(Hash const& fields, std::string_view name) {
    auto it = fields.find(name);
    if (it == fields.end()) return std::nullopt;
    return it->second;
  }

  static std::optional<TimePoint> optional_time(Hash const& fields, std::string_view name) {
    auto text = optional_field(fields, name);
    if (!text) return std::nullopt;
    return time_of(*text);
  }

  static Result<IntegrationRecord> integration_of(Hash fields) {
    if (fields.empty()) return Error(Errc::integration_not_found);
    IntegrationRecord r;
    r.id = fields["id"];
    r.tenant_id = fields["tenant_id"];
    r.user_id = fields["user_id"];
    r.provider = fields["provider"];
    r.account_id = fields["account_id"];
    r.identity.account_id = fields["subject"];
    auto status = integration_status_named(fields["status"]);
    if (!status)
      return Error(Errc::store_failure, "Redis: integration " + oauth::detail::encoding::printable_line(r.id, 64) +
                                            " has an unknown status");
    r.status = *status;
    r.scopes = oauth::detail::store::split_scopes(fields["scopes"]);
    r.identity.email = optional_field(fields, "email");
    if (auto verified = optional_field(fields, "email_verified")) r.identity.email_verified = *verified == "1";
    r.identity.name = optional_field(fields, "name");
    r.identity.picture = optional_field(fields, "picture");
    r.version = static_cast<std::uint64_t>(number_of(fields["version"]));
    r.created_at = time_of(fields["created_at"]);
    r.updated_at = time_of(fields["updated_at"]);
    r.last_used_at = optional_time(fields, "last_used_at");
    r.last_validated_at = optional_time(fields, "last_validated_at");
    r.access_token_ciphertext = fields["access_token"];
    r.refresh_token_ciphertext = fields["refresh_token"];
    if (auto type = optional_field(fields, "token_type")) r.token_type = *type;
    r.expires_at = optional_time(fields, "expires_at");
    r.token_issued_at = time_of(fields["issued_at"]);
    r.key_id = fields["key_id"];
    if (auto workspace_id = optional_field(fields, "workspace_id")) {
      Workspace w;
      w.id = *workspace_id;
      w.name = optional_field(fields, "workspace_name");
      w.icon = optional_field(fields, "workspace_icon");
      w.bot_id = optional_field(fields, "bot_id");
      w.owned_by_workspace = fields["owned_by_workspace"] == "1";
      w.owner_json = optional_field(fields, "owner");
      w.duplicated_template_id = optional_field(fields, "duplicated_template_id");
      w.request_id = optional_field(fields, "request_id");
      r.identity.workspace = std::move(w);
    }
    return r;
  }

  Result<IntegrationRecord> update_owned(Owner owner, std::string_view id, bool bump_version, Fields const& fields) {
    auto reply =
        eval(oauth::detail::store::redis_scripts::update_owned, {integration_prefix() + std::string(id)},
             fields.arguments({std::string(owner.tenant_id), std::string(owner.user_id), bump_version ? "1" : "0"}));
    return changed_integration(std::move(reply));
  }

  static Result<IntegrationRecord> changed_integration(Result<oauth::detail::store::RedisReply> reply) {
    if (!reply) return reply.error();
    if ((*reply)->type == REDIS_REPLY_STRING) {
      if (std::string_view((*reply)->str, (*reply)->len) == "conflict")
        return Error(Errc::store_conflict, "integration changed since it was read");
      return Error(Errc::integration_not_found);
    }
    return integration_of(hash_of(reply->get()));
  }

  Result<std::vector<IntegrationRecord>> read_integrations(Connection& connection, redisReply const* ids) const {
    std::vector<IntegrationRecord> records;
    if (ids->type != REDIS_REPLY_ARRAY || ids->elements == 0) return records;
    std::vector<std::string> keys;
    keys.reserve(ids->elements);
    for (std::size_t i = 0; i < ids->elements; ++i)
      keys.push_back(integration_prefix() + std::string(ids->element[i]->str, ids->element[i]->len));
    std::vector<std::vector<std::string_view>> commands;
    commands.reserve(keys.size());
    for (auto const& k : keys) commands.push_back({"HGETALL", k});
    auto replies = connection.pipeline(commands);
    if (!replies) return replies.error();
    for (auto const& reply : *replies) {
      auto record = integration_of(hash_of(reply.get()));
      if (record) records.push_back(std::move(*record));
    }
    return records;
  }

  template <class T, class Parse>
  Result<std::vector<T>> read_list(std::string const& list_key, Parse parse, std::string const& first = "0",
                                   std::string const& last = "-1") const {
    auto reply = command({"LRANGE", list_key, first, last});
    if (!reply) return reply.error();
    std::vector<T> items;
    for (std::size_t i = 0; i < (*reply)->elements; ++i) {
      boost::system::error_code ec;
      auto json = boost::json::parse(std::string_view((*reply)->element[i]->str, (*reply)->element[i]->len), ec);
      if (ec) return Error(Errc::store_failure, "Redis: a stored record is not JSON");
      auto item = parse(json);
      if (!item) return item.error();
      items.push_back(std::move(*item));
    }
    return items;
  }

  std::shared_ptr<Shared> shared_;
};

static_assert(StoreBackend<RedisBackend>);
static_assert(oauth::detail::store::FindsAccess<RedisBackend>);

}  // namespace oauth::store

#if defined(OAUTH_COMPILED_REDIS)
extern template class oauth::detail::store::ConnectionPool<oauth::detail::store::RedisConnection>;
extern template class oauth::TokenStore<oauth::store::RedisBackend>;
extern template class oauth::detail::store::StoreAdapter<oauth::store::RedisBackend>;
#endif

#endif
