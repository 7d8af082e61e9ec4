#ifndef OAUTH_EXAMPLES_PROVIDERS_HPP
#define OAUTH_EXAMPLES_PROVIDERS_HPP

// The providers the example programs serve, listed once: their manager, the types to
// walk with hana::for_each, and their names.

#include <oauth/manager.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/youtube.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <string>
#include <vector>

namespace oauth::examples {

template <class... Ps>
struct ProviderSet {
  using Manager = oauth::Manager<Ps...>;
  static constexpr auto types = boost::hana::tuple_t<Ps...>;

  static std::vector<std::string> names() { return {Manager::provider_names.begin(), Manager::provider_names.end()}; }
};

using Providers = ProviderSet<providers::Google, providers::Microsoft<>, providers::Notion, providers::YouTube>;

}  // namespace oauth::examples

#endif
