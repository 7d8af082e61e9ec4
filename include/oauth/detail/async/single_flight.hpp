#ifndef OAUTH_DETAIL_ASYNC_SINGLE_FLIGHT_HPP
#define OAUTH_DETAIL_ASYNC_SINGLE_FLIGHT_HPP

#include <oauth/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace oauth::detail::async {

/// Runs one operation per key at a time: whoever asks while it runs waits for its result
/// instead of starting another. The refresh of one integration, done once for every caller.
template <class T>
class SingleFlight {
public:
  /// The result of `lead()` for this key: run now, or shared with the run in progress.
  template <class Lead>
  boost::asio::awaitable<Result<T>> run(std::string key, Lead lead) {
    auto [flight, leader] = join(key);
    if (!leader) {
      auto executor = co_await boost::asio::this_coro::executor;
      co_return co_await wait(flight, std::move(executor));
    }
    std::optional<Result<T>> result;
    try {
      result.emplace(co_await lead());
    } catch (...) {
      finish(key, flight, Error(Errc::invalid_argument, "operation failed with an exception"));
      throw;
    }
    finish(key, flight, *result);
    co_return std::move(*result);
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
  using Handler = boost::asio::any_completion_handler<void(Result<T>)>;

  struct Flight {
    std::mutex mutex;
    std::optional<Result<T>> result;
    std::vector<std::pair<Handler, boost::asio::any_io_executor>> waiters;
    std::size_t callers = 1;  ///< guarded by the SingleFlight's mutex
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

  void finish(std::string const& key, std::shared_ptr<Flight> const& flight, Result<T> const& result) {
    {
      std::lock_guard lock(mutex_);
      flights_.erase(key);
    }
    std::vector<std::pair<Handler, boost::asio::any_io_executor>> waiters;
    {
      std::lock_guard lock(flight->mutex);
      flight->result = result;
      waiters.swap(flight->waiters);
    }
    for (auto& [handler, executor] : waiters) deliver(std::move(handler), executor, result);
  }

  // Each waiter resumes on the executor of the coroutine that waits.
  static void deliver(Handler handler, boost::asio::any_io_executor const& executor, Result<T> result) {
    boost::asio::post(executor,
                      [h = std::move(handler), r = std::move(result)]() mutable { std::move(h)(std::move(r)); });
  }

  static boost::asio::awaitable<Result<T>> wait(std::shared_ptr<Flight> flight, boost::asio::any_io_executor executor) {
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result<T>)>(
        [flight, executor](auto handler) {
          std::unique_lock lock(flight->mutex);
          if (flight->result) {
            auto result = *flight->result;
            lock.unlock();
            deliver(Handler(std::move(handler)), executor, std::move(result));
            return;
          }
          flight->waiters.emplace_back(Handler(std::move(handler)), executor);
        },
        boost::asio::use_awaitable);
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace oauth::detail::async

#endif
