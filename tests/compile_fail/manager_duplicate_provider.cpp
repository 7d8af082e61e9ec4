#include <oauth/manager.hpp>
#include <oauth/providers/google.hpp>

// Listing a provider twice would give it two configurations and two callbacks.
using Twice = oauth::Manager<oauth::providers::Google, oauth::providers::Google>;
static_assert(sizeof(Twice) > 0);
