#ifndef OAUTH_STORE_UNIT_OF_WORK_HPP
#define OAUTH_STORE_UNIT_OF_WORK_HPP

#include <oauth/error.hpp>

namespace oauth::store {

/// How long a transaction's writes must last. `full`: through a power cut (synced before
/// the commit returns). `relaxed`: through a crash of the process, but not always through
/// a power cut (SQLite's WAL with synchronous=NORMAL, PostgreSQL's synchronous_commit off);
/// for short-lived, single-use records (authorization states), never for tokens.
enum class Durability { full, relaxed };

/// Calls of a store that make one change, run as one transaction (TokenStore::together):
/// a reference to a callable returning Result<void>, which must outlive it.
class UnitOfWork {
public:
  template <class F>
  explicit UnitOfWork(F& f) noexcept : call_(&invoke<F>), f_(&f) {}

  Result<void> operator()() const { return call_(f_); }

private:
  template <class F>
  static Result<void> invoke(void* f) {
    return (*static_cast<F*>(f))();
  }

  Result<void> (*call_)(void*);
  void* f_;
};

}  // namespace oauth::store

#endif
