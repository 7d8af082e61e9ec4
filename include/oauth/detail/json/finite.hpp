#ifndef OAUTH_DETAIL_JSON_FINITE_HPP
#define OAUTH_DETAIL_JSON_FINITE_HPP

#include <boost/json/value.hpp>

#include <cmath>

namespace oauth::detail::json {

/// Whether every number in `value` is finite. Boost.JSON reads a number too large for a
/// double as infinity and writes it back as `Infinity`, which no JSON reader takes: a
/// document to be stored and read again must not hold one. (Parsed documents are at most
/// 32 deep, so the recursion is too.)
inline bool all_numbers_finite(boost::json::value const& value) {
  switch (value.kind()) {
    case boost::json::kind::double_: return std::isfinite(value.get_double());
    case boost::json::kind::array:
      for (auto const& item : value.get_array())
        if (!all_numbers_finite(item)) return false;
      return true;
    case boost::json::kind::object:
      for (auto const& [key, item] : value.get_object())
        if (!all_numbers_finite(item)) return false;
      return true;
    default: return true;
  }
}

}  // namespace oauth::detail::json

#endif
