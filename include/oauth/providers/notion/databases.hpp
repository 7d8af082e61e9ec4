#ifndef OAUTH_PROVIDERS_NOTION_DATABASES_HPP
#define OAUTH_PROVIDERS_NOTION_DATABASES_HPP

#include <oauth/api/pagination.hpp>
#include <oauth/api/request.hpp>
#include <oauth/completion_token.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/detail/json/finite.hpp>
#include <oauth/detail/notion/fields.hpp>
#include <oauth/error.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/notion/database.hpp>
#include <oauth/store/records.hpp>

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth::providers::notion {

/// A Notion id in its canonical form (lowercase, 8-4-4-4-12), or nothing when `id` is not
/// 32 hex digits, plain or hyphenated that way. Checked before any call that names one.
inline std::optional<std::string> normalize_id(std::string_view id) {
  std::string hex;
  for (std::size_t i = 0; i < id.size(); ++i) {
    auto const c = static_cast<unsigned char>(id[i]);
    if (std::isxdigit(c))
      hex += static_cast<char>(std::tolower(c));
    else if (c != '-' || id.size() != 36 || (i != 8 && i != 13 && i != 18 && i != 23))
      return std::nullopt;
  }
  if (hex.size() != 32) return std::nullopt;
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
         hex.substr(20);
}

/// A search result as a Database: its id checked, its title's plain text joined, its icon
/// as an emoji or a URL.
inline Result<Database> read_database(boost::json::object const& object) {
  auto const* id = object.if_contains("id");
  auto normalized = id != nullptr && id->is_string() ? normalize_id(id->get_string()) : std::nullopt;
  if (!normalized) return Error(Errc::malformed_response, "a Notion database has no valid id");
  // Found by the fuzzer: a number past a double's range is cached as "Infinity", which
  // reads back as no JSON at all.
  if (!oauth::detail::json::all_numbers_finite(object))
    return Error(Errc::malformed_response, "a Notion database holds a number too large to keep");
  Database database;
  database.id = std::move(*normalized);
  database.title = oauth::detail::notion::plain_text(object.if_contains("title"));
  database.icon = oauth::detail::notion::icon_of(object.if_contains("icon"));
  if (auto const* properties = object.if_contains("properties"); properties != nullptr && properties->is_object())
    database.properties = properties->get_object();
  if (auto const* parent = object.if_contains("parent"); parent != nullptr && parent->is_object())
    if (auto const* owner = parent->get_object().if_contains("database_id"); owner != nullptr && owner->is_string())
      database.database_id = std::string(owner->get_string());
  database.object = object;
  return database;
}

inline CachedResource to_cached(Database const& database) {
  CachedResource resource;
  resource.id = database.id;
  resource.title = database.title;
  if (database.icon) {
    resource.icon_type = to_string(database.icon->kind);
    resource.icon = database.icon->value;
  }
  resource.properties = boost::json::serialize(database.properties);
  resource.object = boost::json::serialize(database.object);
  return resource;
}

inline Result<Database> from_cached(CachedResource const& resource) {
  boost::system::error_code ec;
  auto object = boost::json::parse(resource.object, ec);
  if (ec || !object.is_object()) return Error(Errc::store_failure, "a cached Notion database is not a JSON object");
  auto database = read_database(object.get_object());
  if (!database) return Error(Errc::store_failure, "a cached Notion database has no valid id");
  database->refreshed_at = resource.refreshed_at;
  return database;
}

/// The search that lists what an integration can see of one kind: data sources under
/// Notion-Version 2025-09-03 and later, databases before.
inline ApiRequest database_search() {
  constexpr std::string_view kind = providers::Notion::api_version >= "2025-09-03" ? "data_source" : "database";
  boost::json::object body{{"filter", {{"property", "object"}, {"value", kind}}}, {"page_size", 100}};
  return ApiRequest::post("/v1/search", body);
}

/// The databases one Notion integration can see: found with search (every page), cached
/// in the token store per integration, and read back from the cache. The cache changes
/// only when a refresh has listed everything; a failed one leaves it as it was.
template <class Manager>
class Databases {
public:
  /// Pages of search results a refresh reads at most (a hundred databases a page).
  static constexpr std::size_t max_pages = 1000;

  Databases(Manager& manager, std::string tenant_id, std::string user_id, std::string integration_id)
      : manager_(&manager),
        tenant_id_(std::move(tenant_id)),
        user_id_(std::move(user_id)),
        integration_id_(std::move(integration_id)) {}

  /// Lists the databases at Notion and replaces the cache.
  ///
  /// Completion signature: `void(Result<std::vector<Database>>)`, the cache as now written.
  ///
  /// Cancellation: terminal. Cancelled while it reads, it leaves the cache as it was: the
  /// cache is replaced in one step once everything is read.
  template <CompletionTokenFor<std::vector<Database>> CompletionToken = DefaultCompletionToken>
  auto async_refresh(CompletionToken&& token = {}) const {
    return oauth::detail::async::spawn<std::vector<Database>>(
        manager_->get_executor(), refresh_impl(manager_, tenant_id_, user_id_, integration_id_),
        boost::asio::cancellation_type::terminal, std::forward<CompletionToken>(token));
  }

  Result<std::vector<Database>> refresh() const {
    return oauth::detail::async::wait<std::vector<Database>>(
        manager_->get_executor(), refresh_impl(manager_, tenant_id_, user_id_, integration_id_));
  }

  /// The cached databases, by title. Nothing is asked of Notion. Another provider's
  /// integration is invalid_argument; one that is not the caller's, integration_not_found.
  /// The store is called on this thread: in a coroutine on an I/O thread, use async_cached.
  Result<std::vector<Database>> cached() const {
    auto integration = manager_->integration(tenant_id_, user_id_, integration_id_);
    if (auto refused = not_notion(integration)) return *refused;
    return databases_of(manager_->cached_resources(tenant_id_, user_id_, integration_id_, database_kind));
  }

  /// cached(), read where the manager's blocking store calls run.
  ///
  /// Completion signature: `void(Result<std::vector<Database>>)`. Cancellation: none.
  template <CompletionTokenFor<std::vector<Database>> CompletionToken = DefaultCompletionToken>
  auto async_cached(CompletionToken&& token = {}) const {
    return oauth::detail::async::spawn<std::vector<Database>>(
        manager_->get_executor(), cached_impl(manager_, tenant_id_, user_id_, integration_id_),
        boost::asio::cancellation_type::none, std::forward<CompletionToken>(token));
  }

  /// One cached database; its id is checked first (invalid_argument), and one the cache
  /// does not hold is not_found.
  Result<Database> find(std::string_view database_id) const {
    auto id = normalize_id(database_id);
    if (!id) return invalid_id();
    return pick(cached(), *id);
  }

  /// find(), read where the manager's blocking store calls run.
  ///
  /// Completion signature: `void(Result<Database>)`. Cancellation: none.
  template <CompletionTokenFor<Database> CompletionToken = DefaultCompletionToken>
  auto async_find(std::string_view database_id, CompletionToken&& token = {}) const {
    return oauth::detail::async::spawn<Database>(
        manager_->get_executor(), find_impl(manager_, tenant_id_, user_id_, integration_id_, normalize_id(database_id)),
        boost::asio::cancellation_type::none, std::forward<CompletionToken>(token));
  }

private:
  static Error invalid_id() { return Error(Errc::invalid_argument, "a Notion database id is 32 hexadecimal digits"); }

  /// Why `integration` (a Result<Integration>) has no databases: it is not the caller's,
  /// or not a Notion one.
  template <class Found>
  static std::optional<Error> not_notion(Found const& integration) {
    if (!integration) return integration.error();
    if (integration->provider != providers::Notion::name)
      return Error(Errc::invalid_argument, "a " + integration->provider + " integration has no Notion databases");
    return std::nullopt;
  }

  static Result<std::vector<Database>> databases_of(Result<std::vector<CachedResource>> const& resources) {
    if (!resources) return resources.error();
    std::vector<Database> databases;
    for (auto const& resource : *resources) {
      auto database = from_cached(resource);
      if (!database) return database.error();
      databases.push_back(std::move(*database));
    }
    return databases;
  }

  static Result<Database> pick(Result<std::vector<Database>> databases, std::string_view id) {
    if (!databases) return databases.error();
    for (auto& database : *databases)
      if (database.id == id) return std::move(database);
    Error missing(Errc::not_found, "no such Notion database in this connection's cache");
    missing.provider = providers::Notion::name;
    return missing;
  }

  static boost::asio::awaitable<Result<std::vector<Database>>> cached_impl(Manager* manager, std::string tenant_id,
                                                                           std::string user_id,
                                                                           std::string integration_id) {
    auto finding = manager->async_integration(tenant_id, user_id, integration_id, boost::asio::use_awaitable);
    auto integration = co_await std::move(finding);
    if (auto refused = not_notion(integration)) co_return *refused;
    auto reading = manager->async_cached_resources(std::move(tenant_id), std::move(user_id), std::move(integration_id),
                                                   std::string(database_kind), boost::asio::use_awaitable);
    auto resources = co_await std::move(reading);
    co_return databases_of(resources);
  }

  static boost::asio::awaitable<Result<Database>> find_impl(Manager* manager, std::string tenant_id,
                                                            std::string user_id, std::string integration_id,
                                                            std::optional<std::string> id) {
    if (!id) co_return invalid_id();
    auto reading = cached_impl(manager, std::move(tenant_id), std::move(user_id), std::move(integration_id));
    auto databases = co_await std::move(reading);
    co_return pick(std::move(databases), *id);
  }

  // The client refuses an integration that is not this owner's Notion one before anything
  // is sent (and audits it), so the listing needs no lookup of its own.
  static boost::asio::awaitable<Result<std::vector<Database>>> refresh_impl(Manager* manager, std::string tenant_id,
                                                                            std::string user_id,
                                                                            std::string integration_id) {
    auto const client = manager->template client<providers::Notion>(tenant_id, user_id, integration_id);
    auto search = database_search();
    PageOptions options{max_pages, "results"};
    auto pages = co_await async_all_pages(client, std::move(search), std::move(options), boost::asio::use_awaitable);
    if (!pages) co_return pages.error();
    if (!pages->complete)
      co_return Error(Errc::response_too_large, "Notion lists more databases than " + std::to_string(max_pages) +
                                                    " pages; the cache was left as it was");
    std::vector<CachedResource> resources;
    for (auto const& item : pages->items) {
      if (!item.is_object()) co_return Error(Errc::malformed_response, "a Notion search result is not an object");
      auto const& object = item.get_object();
      auto const* trashed = object.if_contains("in_trash");
      auto const* archived = object.if_contains("archived");
      if ((trashed != nullptr && trashed->is_bool() && trashed->get_bool()) ||
          (archived != nullptr && archived->is_bool() && archived->get_bool()))
        continue;
      auto database = read_database(object);
      if (!database) co_return database.error();
      resources.push_back(to_cached(*database));
    }
    auto replacing =
        manager->async_replace_cached_resources(tenant_id, user_id, integration_id, std::string(database_kind),
                                                std::move(resources), boost::asio::use_awaitable);
    if (auto stored = co_await std::move(replacing); !stored) co_return stored.error();
    auto reading = manager->async_cached_resources(std::move(tenant_id), std::move(user_id), std::move(integration_id),
                                                   std::string(database_kind), boost::asio::use_awaitable);
    auto resources_now = co_await std::move(reading);
    co_return databases_of(resources_now);
  }

  Manager* manager_;
  std::string tenant_id_;
  std::string user_id_;
  std::string integration_id_;
};

}  // namespace oauth::providers::notion

#endif
