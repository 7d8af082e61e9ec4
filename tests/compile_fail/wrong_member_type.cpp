#include "../support/minimal_provider.hpp"

// supports_refresh is an int, not a bool: a typo that must not pass as "true".
struct IntCapability : oauth::test::MinimalProvider {
  static constexpr int supports_refresh = 1;
};

static_assert(oauth::verify_provider<IntCapability>);
