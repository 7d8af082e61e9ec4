#include "../support/minimal_provider.hpp"

#include <oauth/store/scope_records.hpp>

// The store's side of a provider (its scope catalogue as rows) names the missing member too.
auto rows() { return oauth::scope_records<oauth::test::ProviderWithoutTokenEndpoint>(); }
