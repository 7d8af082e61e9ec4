#ifndef OAUTH_DETAIL_ASYNC_SPAWN_HPP
#define OAUTH_DETAIL_ASYNC_SPAWN_HPP

#include <oauth/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace oauth::detail::async {

/// Awaits `operation` and keeps its result in `slot`. A coroutine spawned elsewhere runs
/// this instead of `operation`, so every result type shares one instantiation of co_spawn
/// (of awaitable<void>) where each had its own: 40 KB of the 900 KB of code in a small
/// header-only program.
template <class T>
boost::asio::awaitable<void> keep_in(std::optional<Result<T>>& slot, boost::asio::awaitable<Result<T>> operation) {
  slot.emplace(co_await std::move(operation));
}

/// `operation`, awaited on `executor`: inline when the awaiting coroutine already runs
/// there, else spawned there and awaited. The awaiting frame, and `result` in it, lives
/// until the spawned coroutine has finished.
template <class T>
boost::asio::awaitable<Result<T>> run_on(boost::asio::any_io_executor executor,
                                         boost::asio::awaitable<Result<T>> operation) {
  auto const current = co_await boost::asio::this_coro::executor;
  if (current == executor) co_return co_await std::move(operation);
  std::optional<Result<T>> result;
  co_await boost::asio::co_spawn(executor, keep_in<T>(result, std::move(operation)), boost::asio::use_awaitable);
  co_return std::move(*result);
}

/// Runs `operation` on `executor` and completes `token` with its result, as `void(Result<T>)`:
/// a coroutine co_awaits the Result, a future holds it, a callback receives it. Failures
/// are values; only exceptions that mean the program is broken (bad_alloc) propagate.
template <class T, class Token>
auto spawn(boost::asio::any_io_executor executor, boost::asio::awaitable<Result<T>> operation, Token&& token) {
  // A coroutine on the same executor awaits the operation itself: no new coroutine, no
  // trip through the executor's queue.
  if constexpr (std::is_same_v<std::decay_t<Token>, boost::asio::use_awaitable_t<>>)
    return run_on<T>(std::move(executor), std::move(operation));
  else
    return boost::asio::async_initiate<Token, void(Result<T>)>(
        [executor](auto handler, boost::asio::awaitable<Result<T>> op) {
          auto const handler_executor = boost::asio::get_associated_executor(handler, executor);
          boost::asio::co_spawn(
              executor, std::move(op),
              boost::asio::bind_executor(handler_executor, [h = std::move(handler)](std::exception_ptr const& failure,
                                                                                    Result<T> result) mutable {
                if (failure) std::rethrow_exception(failure);
                std::move(h)(std::move(result));
              }));
        },
        token, std::move(operation));
}

/// Whether a blocking wait here would wait for this very thread.
inline bool running_in_this_thread(boost::asio::any_io_executor const& executor) noexcept {
  if (auto const* io = executor.target<boost::asio::io_context::executor_type>()) return io->running_in_this_thread();
  return false;
}

/// What a blocking wait waits for: the end of the spawned coroutine, and how it ended.
struct Finish {
  std::exception_ptr failure;
  std::atomic<bool> ready{false};

  void set(std::exception_ptr thrown) {
    failure = std::move(thrown);
    ready.store(true, std::memory_order_release);
    ready.notify_all();
  }
};

/// A blocking wait's result beside its finish: the coroutine fills the one, then its
/// completion sets the other.
template <class T>
struct Outcome : Finish {
  std::optional<Result<T>> result;
};

/// The completion handler of a blocking wait, one type for every T. It owns a share of
/// the outcome, so the waiter's wake-up never races with its notify; destroyed unused
/// (the executor's context shut down first), it ends the wait all the same.
class CompleteWait {
public:
  explicit CompleteWait(std::shared_ptr<Finish> finish) noexcept : finish_(std::move(finish)) {}
  CompleteWait(CompleteWait&&) noexcept = default;
  CompleteWait(CompleteWait const&) = delete;
  CompleteWait& operator=(CompleteWait const&) = delete;
  CompleteWait& operator=(CompleteWait&&) = delete;
  ~CompleteWait() {
    if (finish_) finish_->set(nullptr);
  }

  void operator()(std::exception_ptr failure) {
    auto const finish = std::move(finish_);
    finish->set(std::move(failure));
  }

private:
  std::shared_ptr<Finish> finish_;
};

/// The blocking convenience: runs `operation` on `executor`, which another thread runs,
/// and waits for it.
template <class T>
Result<T> wait(boost::asio::any_io_executor executor, boost::asio::awaitable<Result<T>> operation) {
  if (running_in_this_thread(executor))
    return Error(Errc::would_deadlock, "use the async_ form from code that runs on the manager's executor");
  auto outcome = std::make_shared<Outcome<T>>();
  boost::asio::co_spawn(executor, keep_in<T>(outcome->result, std::move(operation)), CompleteWait(outcome));
  outcome->ready.wait(false, std::memory_order_acquire);
  if (outcome->failure) std::rethrow_exception(outcome->failure);
  if (!outcome->result)
    return Error(boost::asio::error::operation_aborted,
                 "the manager's executor was shut down before the operation ended");
  return std::move(*outcome->result);
}

}  // namespace oauth::detail::async

#endif
