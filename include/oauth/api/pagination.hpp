#ifndef OAUTH_API_PAGINATION_HPP
#define OAUTH_API_PAGINATION_HPP

#include <oauth/api/pages.hpp>
#include <oauth/api/request.hpp>
#include <oauth/detail/api/pagination.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>

#include <utility>

namespace oauth {

/// Walks every page of a list the way the client's provider pages (Notion cursors, Graph
/// next links, Google page tokens), up to `options.max_pages`, and completes with
/// `void(Result<Pages>)`. Each page is one client call: refreshed, retried and paced.
template <class Client, class CompletionToken>
auto async_all_pages(Client const& client, ApiRequest first, PageOptions options, CompletionToken&& token) {
  return detail::async::spawn<Pages>(client.get_executor(),
                                     detail::pagination::collect(client, std::move(first), std::move(options)),
                                     std::forward<CompletionToken>(token));
}

template <class Client>
Result<Pages> all_pages(Client const& client, ApiRequest first, PageOptions options = {}) {
  return detail::async::wait<Pages>(client.get_executor(),
                                    detail::pagination::collect(client, std::move(first), std::move(options)));
}

}  // namespace oauth

#endif
