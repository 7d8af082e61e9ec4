#ifndef OAUTH_DETAIL_STORE_CONNECTION_POOL_HPP
#define OAUTH_DETAIL_STORE_CONNECTION_POOL_HPP

#include <oauth/error.hpp>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace oauth::detail::store {

/// Database connections lent to one caller at a time: made when needed up to `capacity`,
/// then callers wait for one to come back. A connection found broken is dropped, not
/// returned, so the next caller connects afresh (the database came back).
template <class Connection>
class ConnectionPool {
public:
  using Factory = std::function<Result<std::unique_ptr<Connection>>()>;

  ConnectionPool(Factory factory, std::size_t capacity) : factory_(std::move(factory)), capacity_(capacity) {}

  /// A lent connection: goes back to the pool when destroyed, unless discarded.
  class Lease {
  public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection, bool reused)
        : pool_(pool), connection_(std::move(connection)), reused_(reused) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          connection_(std::move(other.connection_)),
          reused_(other.reused_) {}
    Lease(Lease const&) = delete;
    Lease& operator=(Lease const&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->give_back(std::move(connection_));
    }
    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_.get(); }
    /// The connection is broken: close it instead of lending it again.
    void discard() noexcept { connection_.reset(); }
    /// Lent before: the database may have dropped it while it sat idle (a restart).
    bool reused() const noexcept { return reused_; }

  private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
    bool reused_;
  };

  /// Runs `body(connection)` on a lent connection. When a connection that sat idle turns
  /// out broken (the database restarted meanwhile), it is closed and `body` runs once
  /// more on a new one, unless `body` says the failure left its work in doubt.
  template <class F>
  auto with_connection(F&& body) -> decltype(body(std::declval<Connection&>(), std::declval<bool&>())) {
    for (int attempt = 0;; ++attempt) {
      auto lease = acquire();
      if (!lease) return lease.error();
      bool in_doubt = false;
      auto result = body(**lease, in_doubt);
      if (result || !(*lease)->broken()) return result;
      lease->discard();
      if (!lease->reused() || in_doubt || attempt > 0) return result;
    }
  }

  Result<Lease> acquire() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < capacity_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection), true);
    }
    ++open_;
    lock.unlock();
    auto made = factory_();
    if (!made) {
      lock.lock();
      --open_;
      returned_.notify_one();
      return made.error();
    }
    return Lease(this, std::move(*made), false);
  }

private:
  void give_back(std::unique_ptr<Connection> connection) {
    {
      std::lock_guard lock(mutex_);
      if (connection)
        idle_.push_back(std::move(connection));
      else
        --open_;
    }
    returned_.notify_one();
  }

  Factory factory_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  ///< lent and idle together
};

}  // namespace oauth::detail::store

#endif
