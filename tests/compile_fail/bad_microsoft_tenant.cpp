#include <oauth/providers/microsoft.hpp>

// A tenant with a slash would change the endpoint's path.
static_assert(oauth::verify_provider<oauth::providers::Microsoft<"common/../evil">>);
