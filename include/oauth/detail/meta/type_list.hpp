#ifndef OAUTH_DETAIL_META_TYPE_LIST_HPP
#define OAUTH_DETAIL_META_TYPE_LIST_HPP

#include <cstddef>
#include <type_traits>

namespace oauth::detail::meta {

template <class T, class... Ts>
inline constexpr bool contains = (std::is_same_v<T, Ts> || ...);

template <class... Ts>
struct Unique : std::true_type {};
template <class T, class... Ts>
struct Unique<T, Ts...> : std::bool_constant<!contains<T, Ts...> && Unique<Ts...>::value> {};

template <class... Ts>
inline constexpr bool unique = Unique<Ts...>::value;

/// The position of T in Ts; sizeof...(Ts) when it is not there.
template <class T, class... Ts>
constexpr std::size_t index_of() noexcept {
  std::size_t index = 0;
  bool found = false;
  ((found = found || std::is_same_v<T, Ts>, index += found ? 0 : 1), ...);
  return index;
}

}  // namespace oauth::detail::meta

#endif
