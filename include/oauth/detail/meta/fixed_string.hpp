#ifndef OAUTH_DETAIL_META_FIXED_STRING_HPP
#define OAUTH_DETAIL_META_FIXED_STRING_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace oauth::detail::meta {

/// A string usable as a template argument: `Microsoft<"contoso.onmicrosoft.com">`.
template <std::size_t N>
struct FixedString {
  char data[N]{};

  constexpr FixedString(char const (&s)[N]) { std::copy_n(s, N, data); }
  constexpr std::string_view view() const noexcept { return {data, N - 1}; }
};

template <FixedString... Parts>
struct Concat {
  static constexpr auto storage = [] {
    std::array<char, (std::size_t{0} + ... + Parts.view().size()) + 1> out{};
    auto* p = out.data();
    ((p = std::copy_n(Parts.view().data(), Parts.view().size(), p)), ...);
    return out;
  }();
};

/// The parts joined at compile time, with static storage.
template <FixedString... Parts>
inline constexpr std::string_view concat{Concat<Parts...>::storage.data(), Concat<Parts...>::storage.size() - 1};

}  // namespace oauth::detail::meta

#endif
