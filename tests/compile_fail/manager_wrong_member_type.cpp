#include "../support/minimal_provider.hpp"

#include <oauth/manager.hpp>

// supports_refresh is an int: the one error says what type it must be, not that it is missing.
struct IntCapability : oauth::test::MinimalProvider {
  static constexpr int supports_refresh = 1;
};

using WithIntCapability = oauth::Manager<IntCapability>;
static_assert(sizeof(WithIntCapability) > 0);
