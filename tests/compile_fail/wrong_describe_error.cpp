#include "../support/minimal_provider.hpp"

#include <string>

// describe_error answers a string, not an oauth::UserFacingError: the library would
// otherwise quietly use its own mapping instead of the provider's.
struct StringErrors : oauth::test::MinimalProvider {
  static std::string describe_error(oauth::Error const&, oauth::Operation) { return "sorry"; }
};

static_assert(oauth::verify_provider<StringErrors>);
