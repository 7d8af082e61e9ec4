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

/// `operation`, awaited on `executor`: inline when the awaiting coroutine already runs
/// there, else spawned there and awaited.
template <class T>
boost::asio::awaitable<Result<T>> run_on(boost::asio::any_io_executor executor,
                                         boost::asio::awaitable<Result<T>> operation) {
  auto const current = co_await boost::asio::this_coro::executor;
  if (current == executor) co_return co_await std::move(operation);
  co_return co_await boost::asio::co_spawn(executor, std::move(operation), boost::asio::use_awaitable);
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

/// What a blocking wait waits for: the operation's result, set once by its completion.
template <class T>
struct Outcome {
  std::optional<Result<T>> result;
  std::exception_ptr failure;
  std::atomic<bool> ready{false};

  void set(std::exception_ptr thrown, Result<T> value) {
    failure = std::move(thrown);
    result.emplace(std::move(value));
    ready.store(true, std::memory_order_release);
    ready.notify_all();
  }
};

/// The completion handler of a blocking wait. It owns a share of the outcome, so the
/// waiter's wake-up never races with its notify; destroyed unused (the executor's context
/// shut down first), it ends the wait with operation_aborted.
template <class T>
class CompleteOutcome {
public:
  explicit CompleteOutcome(std::shared_ptr<Outcome<T>> outcome) noexcept : outcome_(std::move(outcome)) {}
  CompleteOutcome(CompleteOutcome&&) noexcept = default;
  CompleteOutcome(CompleteOutcome const&) = delete;
  CompleteOutcome& operator=(CompleteOutcome const&) = delete;
  CompleteOutcome& operator=(CompleteOutcome&&) = delete;
  ~CompleteOutcome() {
    if (outcome_)
      outcome_->set(nullptr, Error(boost::asio::error::operation_aborted,
                                   "the manager's executor was shut down before the operation ended"));
  }

  void operator()(std::exception_ptr failure, Result<T> result) {
    auto const outcome = std::move(outcome_);
    outcome->set(std::move(failure), std::move(result));
  }

private:
  std::shared_ptr<Outcome<T>> outcome_;
};

/// The blocking convenience: runs `operation` on `executor`, which another thread runs,
/// and waits for it.
template <class T>
Result<T> wait(boost::asio::any_io_executor executor, boost::asio::awaitable<Result<T>> operation) {
  if (running_in_this_thread(executor))
    return Error(Errc::would_deadlock, "use the async_ form from code that runs on the manager's executor");
  auto outcome = std::make_shared<Outcome<T>>();
  boost::asio::co_spawn(executor, std::move(operation), CompleteOutcome<T>(outcome));
  outcome->ready.wait(false, std::memory_order_acquire);
  if (outcome->failure) std::rethrow_exception(outcome->failure);
  return std::move(*outcome->result);
}

}  // namespace oauth::detail::async

#endif
