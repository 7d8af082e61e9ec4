#include "../support/minimal_provider.hpp"

static_assert(oauth::verify_provider<oauth::test::ProviderWithoutTokenEndpoint>);
