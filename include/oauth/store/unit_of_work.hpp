#ifndef OAUTH_STORE_UNIT_OF_WORK_HPP
#define OAUTH_STORE_UNIT_OF_WORK_HPP

#include <oauth/error.hpp>

#include <exception>
#include <functional>
#include <utility>

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

/// A transaction handed to the store whole (TokenStore::together_deferred), to run when
/// its turn comes: no thread waits for it meanwhile. The store runs it on a thread that
/// leads its commit, and tells it the outcome there.
class DeferredWork {
public:
  DeferredWork() = default;
  DeferredWork(DeferredWork const&) = delete;
  DeferredWork& operator=(DeferredWork const&) = delete;
  DeferredWork(DeferredWork&&) = delete;
  DeferredWork& operator=(DeferredWork&&) = delete;

  /// The calls of the store that make the change, as UnitOfWork's: it may run twice.
  virtual Result<void> run() = 0;
  /// The transaction's outcome once it has committed or failed, and what `run` threw if
  /// it threw: the store's last touch of this work.
  virtual void finish(Result<void> outcome, std::exception_ptr thrown) noexcept = 0;
  /// Starts `lead()` on a thread where it may block (a database's commit): one thread
  /// leads the transactions handed over while it runs, however many they are.
  virtual void start_leader(std::function<void()> lead) = 0;

  /// Runs the work here and now, and tells it how it went: where there is no line to
  /// wait in (inside a transaction already, or a store without transactions).
  void run_now() noexcept {
    Result<void> outcome;
    std::exception_ptr thrown;
    try {
      outcome = run();
    } catch (...) {
      thrown = std::current_exception();
    }
    finish(std::move(outcome), thrown);
  }

  virtual ~DeferredWork() = default;
};

}  // namespace oauth::store

#endif
