#ifndef OAUTH_PROVIDERS_ALL_HPP
#define OAUTH_PROVIDERS_ALL_HPP

#include <oauth/provider.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/youtube.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <array>
#include <string_view>

namespace oauth::providers {

/// A list of providers as types: to walk with `boost::hana::for_each(types, ...)`, to
/// name, or to compose into a class template (`apply<Manager>`).
template <class... Ps>
struct ProviderList {
  static_assert((ProviderRequirements<Ps>::value && ...));
  static constexpr auto types = boost::hana::tuple_t<Ps...>;
  static constexpr std::array<std::string_view, sizeof...(Ps)> names{Ps::name...};
  template <template <class...> class Into>
  using apply = Into<Ps...>;
  /// These and more: `Builtin::with<MyProvider>`.
  template <class... Qs>
  using with = ProviderList<Ps..., Qs...>;
};

/// The providers this library ships, Microsoft for any tenant.
using Builtin = ProviderList<Google, Microsoft<>, Notion, YouTube>;

}  // namespace oauth::providers

#endif
