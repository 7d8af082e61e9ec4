#ifndef OAUTH_DETAIL_STORE_READ_ACCESS_HPP
#define OAUTH_DETAIL_STORE_READ_ACCESS_HPP

#include <oauth/error.hpp>
#include <oauth/store/records.hpp>

#include <concepts>
#include <string_view>
#include <utility>

namespace oauth::detail::store {

/// A backend that can read the fields of an AccessRecord alone (all of this library's).
template <class B>
concept FindsAccess = requires(B const& backend, Owner owner, std::string_view id) {
  { backend.find_access(owner, id) } -> std::same_as<Result<AccessRecord>>;
};

/// What a token needs: read alone where the backend can, taken from the whole record
/// where it cannot.
template <class B>
Result<AccessRecord> read_access(B const& backend, Owner owner, std::string_view id) {
  if constexpr (FindsAccess<B>) {
    return backend.find_access(owner, id);
  } else {
    auto record = backend.find_integration(owner, id);
    if (!record) return record.error();
    return AccessRecord::of(std::move(*record));
  }
}

}  // namespace oauth::detail::store

#endif
