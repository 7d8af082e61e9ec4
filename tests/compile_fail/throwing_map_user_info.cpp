#include "../support/minimal_provider.hpp"

// map_user_info may throw here: the concept insists on noexcept.
struct ThrowingMapping : oauth::test::MinimalProvider {
  static oauth::Result<oauth::UserInfo> map_user_info(boost::json::object const&) { return oauth::UserInfo{}; }
};

static_assert(oauth::verify_provider<ThrowingMapping>);
