#ifndef OAUTH_DETAIL_ASYNC_SINGLE_FLIGHT_HPP
#define OAUTH_DETAIL_ASYNC_SINGLE_FLIGHT_HPP

#include <oauth/detail/async/spawn.hpp>
#include <oauth/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace oauth::detail::async {

/// Runs one operation per key at a time: whoever asks while it runs waits for its result
/// instead of starting another. The refresh of one integration, done once for every caller.
///
/// The run belongs to no caller: it is spawned on its own, and every caller, the first
/// included, waits for it. A caller whose wait is cancelled (terminal or partial) stops
/// waiting at once with operation_aborted; the run goes on to its end for the others, so
/// that what it stores (a rotated refresh token) is never cut short.
template <class T>
class SingleFlight {
public:
  /// The result of `lead()` for this key: started now on the caller's executor unless it
  /// runs already, and awaited.
  template <class Lead>
  boost::asio::awaitable<Result<T>> run(std::string key, Lead lead) {
    auto state = co_await boost::asio::this_coro::cancellation_state;
    if (cancelled(state)) co_return aborted("waiting for the refresh");
    auto executor = co_await boost::asio::this_coro::executor;
    auto [flight, leader] = join(key);
    if (leader) start(executor, std::move(key), flight, lead());
    co_return co_await wait(std::move(flight), std::move(executor), state);
  }

  /// Waits until no run is in progress: they use what their lead refers to. Only from a
  /// thread that does not run their executor, which must go on running.
  void drain() {
    std::unique_lock lock(mutex_);
    ended_.wait(lock, [this] { return running_ == 0; });
  }

  /// Runs in progress, and the callers sharing them, each run's leader included.
  struct Activity {
    std::size_t runs = 0;
    std::size_t callers = 0;
  };

  Activity activity() const {
    std::lock_guard lock(mutex_);
    Activity now{flights_.size(), 0};
    for (auto const& [key, flight] : flights_) now.callers += flight->callers;
    return now;
  }

private:
  // What resumes a waiting coroutine: every waiter awaits with use_awaitable, so the
  // handler's type is known and needs no type erasure.
  using Handler = typename boost::asio::async_result<std::decay_t<decltype(boost::asio::use_awaitable)>,
                                                     void(Result<T>)>::handler_type;

  // Moved only by construction: waiters live in a list, which never assigns them.
  struct Waiter {
    Waiter(std::uint64_t i, Handler h, boost::asio::any_io_executor e) noexcept
        : id(i), handler(std::move(h)), executor(std::move(e)) {}
    Waiter(Waiter&&) noexcept = default;
    Waiter& operator=(Waiter&&) = delete;
    Waiter(Waiter const&) = delete;
    Waiter& operator=(Waiter const&) = delete;
    ~Waiter() = default;

    std::uint64_t id;
    Handler handler;
    boost::asio::any_io_executor executor;
  };

  struct Flight {
    std::mutex mutex;
    std::optional<Result<T>> result;
    std::list<Waiter> waiters;
    std::uint64_t next_waiter = 0;
    std::atomic<std::size_t> callers = 1;  ///< the run's callers that still wait
  };

  std::pair<std::shared_ptr<Flight>, bool> join(std::string const& key) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = flights_.try_emplace(key);
    if (inserted)
      it->second = std::make_shared<Flight>();
    else
      ++it->second->callers;
    return {it->second, inserted};
  }

  /// The run's completion: its result to every waiter still waiting.
  struct Finished {
    SingleFlight* flights;
    std::string key;
    std::shared_ptr<Flight> flight;

    void operator()(std::exception_ptr const& failure, Result<T> result) {
      if (failure)
        flights->finish(key, flight, Error(Errc::invalid_argument, "operation failed with an exception"));
      else
        flights->finish(key, flight, std::move(result));
      flights->ended();  // the last use of `flights`: drain() may return and destroy it
      if (failure) std::rethrow_exception(failure);
    }
  };

  void start(boost::asio::any_io_executor const& executor, std::string key, std::shared_ptr<Flight> flight,
             boost::asio::awaitable<Result<T>> operation) {
    {
      std::lock_guard lock(mutex_);
      ++running_;
    }
    boost::asio::co_spawn(executor, std::move(operation), Finished{this, std::move(key), std::move(flight)});
  }

  void ended() {
    std::lock_guard lock(mutex_);
    --running_;
    ended_.notify_all();
  }

  void finish(std::string const& key, std::shared_ptr<Flight> const& flight, Result<T> result) {
    {
      std::lock_guard lock(mutex_);
      flights_.erase(key);
    }
    std::list<Waiter> waiters;
    {
      std::lock_guard lock(flight->mutex);
      flight->result = std::move(result);
      waiters.swap(flight->waiters);
    }
    for (auto& waiter : waiters) deliver(std::move(waiter.handler), waiter.executor, *flight->result);
  }

  // Each waiter resumes on the executor of the coroutine that waits, never inside the
  // call that completes or cancels it.
  static void deliver(Handler handler, boost::asio::any_io_executor const& executor, Result<T> result) {
    boost::asio::post(executor,
                      [h = std::move(handler), r = std::move(result)]() mutable { std::move(h)(std::move(r)); });
  }

  /// Installed in a waiter's cancellation slot: takes the waiter out of the flight and
  /// completes it with operation_aborted, if the run has not completed it already.
  struct StopWaiting {
    StopWaiting(std::weak_ptr<Flight> f, std::uint64_t i) noexcept : flight(std::move(f)), id(i) {}

    std::weak_ptr<Flight> flight;
    std::uint64_t id;

    void operator()(cancellation_type type) const {
      if ((type & (cancellation_type::terminal | cancellation_type::partial)) == cancellation_type::none) return;
      auto const shared = flight.lock();
      if (!shared) return;
      std::unique_lock lock(shared->mutex);
      auto it = std::ranges::find(shared->waiters, id, &Waiter::id);
      if (it == shared->waiters.end()) return;
      auto waiter = std::move(*it);
      shared->waiters.erase(it);
      --shared->callers;
      lock.unlock();
      deliver(std::move(waiter.handler), waiter.executor, aborted("waiting for the refresh"));
    }
  };

  struct Wait {
    std::shared_ptr<Flight> flight;
    boost::asio::any_io_executor executor;
    boost::asio::cancellation_state state;  ///< the waiting coroutine's

    void operator()(Handler handler) const {
      std::unique_lock lock(flight->mutex);
      if (flight->result) {
        auto result = *flight->result;
        lock.unlock();
        deliver(std::move(handler), executor, std::move(result));
        return;
      }
      // A signal that came after run() looked and before StopWaiting is in the slot has
      // found no handler, but it has marked the state: stop now.
      if (cancelled(state)) {
        --flight->callers;
        lock.unlock();
        deliver(std::move(handler), executor, aborted("waiting for the refresh"));
        return;
      }
      auto const id = ++flight->next_waiter;
      if (auto slot = handler.get_cancellation_slot(); slot.is_connected())
        slot.template emplace<StopWaiting>(flight, id);
      flight->waiters.emplace_back(id, std::move(handler), executor);
    }
  };

  static boost::asio::awaitable<Result<T>> wait(std::shared_ptr<Flight> flight, boost::asio::any_io_executor executor,
                                                boost::asio::cancellation_state state) {
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result<T>)>(
        Wait{std::move(flight), std::move(executor), state}, boost::asio::use_awaitable);
  }

  mutable std::mutex mutex_;
  std::condition_variable ended_;
  std::size_t running_ = 0;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace oauth::detail::async

#endif
