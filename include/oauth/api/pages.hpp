#ifndef OAUTH_API_PAGES_HPP
#define OAUTH_API_PAGES_HPP

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace oauth {

struct PageOptions {
  /// Pages fetched at most; a list longer than that comes back incomplete, not failed.
  std::size_t max_pages = 100;
  /// The member holding each page's items; empty, the provider's ("results", "value", "items").
  std::string items_key = {};
};

/// Every item of a paged list, in order.
struct Pages {
  std::vector<boost::json::value> items = {};
  std::size_t pages = 0;
  bool complete = false;  ///< false when the page cap stopped the walk
};

}  // namespace oauth

#endif
