#ifndef OAUTH_EXAMPLES_PROVIDERS_HPP
#define OAUTH_EXAMPLES_PROVIDERS_HPP

// The providers the example programs serve (the library's built-in ones): their
// manager, the types to walk with hana::for_each, and their names.

#include <oauth/manager.hpp>
#include <oauth/providers/all.hpp>

#include <string>
#include <vector>

namespace oauth::examples {

struct Providers {
  using Manager = providers::Builtin::apply<oauth::Manager>;
  static constexpr auto types = providers::Builtin::types;

  static std::vector<std::string> names() {
    return {providers::Builtin::names.begin(), providers::Builtin::names.end()};
  }
};

}  // namespace oauth::examples

#endif
