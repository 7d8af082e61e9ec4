#ifndef OAUTH_DETAIL_API_PAGINATION_HPP
#define OAUTH_DETAIL_API_PAGINATION_HPP

#include <oauth/api/pages.hpp>
#include <oauth/api/request.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth::detail::pagination {

constexpr std::string_view items_key(Pagination style) noexcept {
  switch (style) {
    case Pagination::notion_cursor: return "results";
    case Pagination::odata_next_link: return "value";
    case Pagination::google_page_token: return "items";
    case Pagination::none: break;
  }
  return "items";
}

/// `target` with query parameter `name` set to `value`, replacing any earlier one.
inline Result<std::string> with_query_param(std::string_view target, std::string_view name, std::string_view value) {
  auto parsed = boost::urls::parse_uri_reference(target);
  if (!parsed) return Error(Errc::invalid_argument, "the API target is not a URL or a path");
  boost::urls::url url(*parsed);
  url.params().set(name, value);
  return std::string(url.buffer());
}

inline std::string_view string_member(boost::json::object const& page, std::string_view key) noexcept {
  auto const* v = page.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

struct Next {
  std::optional<ApiRequest> request;  ///< absent on the last page
  std::string cursor;                 ///< what tells this page from another, for loops
};

/// The request for the page after `page`, which answered `current`.
inline Result<Next> next_page(Pagination style, ApiRequest const& current, boost::json::object const& page) {
  ApiRequest next = current;
  switch (style) {
    case Pagination::none: return Next{};
    case Pagination::notion_cursor: {
      auto const* more = page.if_contains("has_more");
      auto const cursor = string_member(page, "next_cursor");
      if (more == nullptr || !more->is_bool() || !more->get_bool()) return Next{};
      if (cursor.empty()) return Error(Errc::malformed_response, "a page with has_more has no next_cursor");
      if (current.method == HttpMethod::get) {
        auto target = with_query_param(current.target, "start_cursor", cursor);
        if (!target) return target.error();
        next.target = std::move(*target);
      } else {
        boost::system::error_code ec;
        auto body =
            current.body.empty() ? boost::json::value(boost::json::object{}) : boost::json::parse(current.body, ec);
        if (ec || !body.is_object()) return Error(Errc::invalid_argument, "a paged POST needs a JSON object body");
        body.get_object()["start_cursor"] = cursor;
        next.body = boost::json::serialize(body);
      }
      return Next{std::move(next), std::string(cursor)};
    }
    case Pagination::odata_next_link: {
      auto const link = string_member(page, "@odata.nextLink");
      if (link.empty()) return Next{};
      next.method = HttpMethod::get;
      next.target = std::string(link);
      next.body.clear();
      return Next{std::move(next), std::string(link)};
    }
    case Pagination::google_page_token: {
      auto const token = string_member(page, "nextPageToken");
      if (token.empty()) return Next{};
      auto target = with_query_param(current.target, "pageToken", token);
      if (!target) return target.error();
      next.target = std::move(*target);
      return Next{std::move(next), std::string(token)};
    }
  }
  return Next{};
}

template <class Client>
boost::asio::awaitable<Result<Pages>> collect(Client client, ApiRequest request, PageOptions options) {
  constexpr auto style = api_pagination<typename Client::provider>();
  auto const key = options.items_key.empty() ? std::string(items_key(style)) : options.items_key;
  Pages pages;
  std::set<std::string> cursors;
  while (true) {
    auto const sent = request;
    auto response = co_await client.async_send(std::move(request), boost::asio::use_awaitable);
    if (!response) co_return response.error();
    auto json = response->json();
    if (!json) co_return json.error();
    if (!json->is_object()) co_return Error(Errc::malformed_response, "a page is not a JSON object");
    auto const& page = json->get_object();
    auto const* items = page.if_contains(key);
    if (items == nullptr || !items->is_array())
      co_return Error(Errc::malformed_response, "a page has no \"" + key + "\" array");
    for (auto const& item : items->get_array()) pages.items.push_back(item);
    ++pages.pages;
    auto next = next_page(style, sent, page);
    if (!next) co_return next.error();
    if (!next->request) {
      pages.complete = true;
      co_return pages;
    }
    if (!cursors.insert(next->cursor).second)
      co_return Error(Errc::malformed_response, "the provider handed out the same page cursor twice");
    if (pages.pages >= options.max_pages) co_return pages;
    request = std::move(*next->request);
  }
}

}  // namespace oauth::detail::pagination

#endif
