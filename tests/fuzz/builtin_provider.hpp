#ifndef OAUTH_TESTS_FUZZ_BUILTIN_PROVIDER_HPP
#define OAUTH_TESTS_FUZZ_BUILTIN_PROVIDER_HPP

#include <oauth/providers/all.hpp>

#include <boost/hana/for_each.hpp>

#include <string_view>
#include <type_traits>

namespace oauth::fuzz {

/// Calls `f(std::type_identity<P>{})` for the built-in provider named `name`.
template <class F>
void with_builtin_provider(std::string_view name, F&& f) {
  boost::hana::for_each(providers::Builtin::types, [&](auto type) {
    using P = typename decltype(type)::type;
    if (P::name == name) f(std::type_identity<P>{});
  });
}

}  // namespace oauth::fuzz

#endif
