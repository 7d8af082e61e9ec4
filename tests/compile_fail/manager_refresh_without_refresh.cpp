#include "../support/test_providers.hpp"

#include <oauth/manager.hpp>

// A provider whose tokens cannot be refreshed has no refresh in the manager either.
auto refresh(oauth::Manager<oauth::test::StaticTokenProvider>& manager) {
  return manager.refresh<oauth::test::StaticTokenProvider>("tenant", "user", "id");
}
