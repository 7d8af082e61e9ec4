#ifndef OAUTH_API_PAGINATION_HPP
#define OAUTH_API_PAGINATION_HPP

#include <oauth/api/pages.hpp>
#include <oauth/api/request.hpp>
#include <oauth/completion_token.hpp>
#include <oauth/detail/api/pagination.hpp>
#include <oauth/detail/async/spawn.hpp>
#include <oauth/error.hpp>
#include <oauth/provider.hpp>

#include <utility>

namespace oauth {

/// Walks every page of a list the way the client's provider pages (Notion cursors, Graph
/// next links, Google page tokens), up to `options.max_pages`. Each page is one client
/// call: refreshed, retried and paced.
///
/// Completion signature: `void(Result<Pages>)`.
///
/// Cancellation: terminal. The page being read is abandoned and the pages read so far
/// are dropped.
template <class Client, CompletionTokenFor<Pages> CompletionToken = DefaultCompletionToken>
auto async_all_pages(Client const& client, ApiRequest first, PageOptions options, CompletionToken&& token = {}) {
  return detail::async::spawn<Pages>(client.get_executor(),
                                     detail::pagination::collect(client, std::move(first), std::move(options)),
                                     boost::asio::cancellation_type::terminal, std::forward<CompletionToken>(token));
}

template <class Client>
Result<Pages> all_pages(Client const& client, ApiRequest first, PageOptions options = {}) {
  return detail::async::wait<Pages>(client.get_executor(),
                                    detail::pagination::collect(client, std::move(first), std::move(options)));
}

}  // namespace oauth

#endif
