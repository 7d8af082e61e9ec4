#ifndef OAUTH_DETAIL_ASYNC_SPAWN_HPP
#define OAUTH_DETAIL_ASYNC_SPAWN_HPP

#include <oauth/detail/async/cancellation.hpp>
#include <oauth/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detail/scheduler.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace oauth::detail::async {

/// Awaits `operation` as the whole of a coroutine spawned for it, and keeps its result in
/// `slot`. A cancellation of a type in `supported` reaches the steps it awaits, which
/// end with operation_aborted; it never throws. Every result type shares this one
/// instantiation of co_spawn's awaitable<void>.
template <class T>
boost::asio::awaitable<void> keep_in(std::optional<Result<T>>& slot, boost::asio::awaitable<Result<T>> operation,
                                     cancellation_type supported) {
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  // A signal before the reset is in the state the reset replaces.
  auto const before = co_await boost::asio::this_coro::cancellation_state;
  auto const early = before.cancelled() & supported;
  co_await boost::asio::this_coro::reset_cancellation_state(SupportedCancellation{supported});
  if (early != cancellation_type::none) {
    slot.emplace(aborted("the operation"));
    co_return;
  }
  slot.emplace(co_await std::move(operation));
}

/// `operation` run in a coroutine of its own on `executor` and awaited: the awaiting
/// coroutine's cancellation slot reaches it through co_spawn.
template <class T>
boost::asio::awaitable<Result<T>> run_on(boost::asio::any_io_executor executor,
                                         boost::asio::awaitable<Result<T>> operation, cancellation_type supported) {
  // A signal the awaiting coroutine got before this started reaches no step of it.
  auto const state = co_await boost::asio::this_coro::cancellation_state;
  if ((state.cancelled() & supported) != cancellation_type::none) co_return aborted("the operation");
  std::optional<Result<T>> result;
  co_await boost::asio::co_spawn(executor, keep_in<T>(result, std::move(operation), supported),
                                 boost::asio::use_awaitable);
  co_return std::move(*result);
}

/// The completion of a spawned operation: hands its result to the caller's handler, on
/// the handler's executor (the operation's when it has none), and shows co_spawn the
/// handler's cancellation slot (co_spawn of Asio 1.81 allocates with std::allocator
/// whatever the handler says).
template <class T, class Handler>
class Deliver {
public:
  using executor_type = boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>;
  using allocator_type = boost::asio::associated_allocator_t<Handler>;
  using cancellation_slot_type = boost::asio::associated_cancellation_slot_t<Handler>;

  Deliver(Handler handler, boost::asio::any_io_executor const& fallback,
          std::shared_ptr<std::optional<Result<T>>> result)
      : handler_(std::move(handler)),
        executor_(boost::asio::get_associated_executor(handler_, fallback)),
        result_(std::move(result)) {}

  executor_type get_executor() const noexcept { return executor_; }
  allocator_type get_allocator() const noexcept { return boost::asio::get_associated_allocator(handler_); }
  cancellation_slot_type get_cancellation_slot() const noexcept {
    return boost::asio::get_associated_cancellation_slot(handler_);
  }

  void operator()(std::exception_ptr const& failure) {
    if (failure) std::rethrow_exception(failure);
    auto result = std::move(*result_);
    result_.reset();
    std::move(handler_)(std::move(*result));
  }

private:
  Handler handler_;
  executor_type executor_;
  std::shared_ptr<std::optional<Result<T>>> result_;
};

/// Runs `operation` in a coroutine of its own on `executor` and completes `token` with its
/// result, as `void(Result<T>)`: a coroutine co_awaits the Result, a future holds it, a
/// callback receives it. Asio's contract: the handler runs on its associated executor,
/// what the operation allocates for itself (its result, until delivered) comes from its
/// associated allocator (coroutine frames come from Asio's own recycling allocator), and
/// a signal on its associated cancellation slot of a type in `supported` ends the
/// operation with operation_aborted (other types are ignored). Failures are values; only
/// exceptions that mean the program is broken (bad_alloc) propagate.
template <class T, class Token>
auto spawn(boost::asio::any_io_executor executor, boost::asio::awaitable<Result<T>> operation,
           cancellation_type supported, Token&& token) {
  if constexpr (std::is_same_v<std::decay_t<Token>, boost::asio::use_awaitable_t<>>)
    return run_on<T>(std::move(executor), std::move(operation), supported);
  else
    return boost::asio::async_initiate<Token, void(Result<T>)>(
        [executor, supported](auto handler, boost::asio::awaitable<Result<T>> op) {
          auto result = std::allocate_shared<std::optional<Result<T>>>(boost::asio::get_associated_allocator(handler));
          auto& slot = *result;
          boost::asio::co_spawn(executor, keep_in<T>(slot, std::move(op), supported),
                                Deliver<T, decltype(handler)>(std::move(handler), executor, std::move(result)));
        },
        token, std::move(operation));
}

/// The scheduler that runs the executor's context, when it is an io_context or a
/// thread_pool (both run on it); it knows which threads are inside its run().
inline boost::asio::detail::scheduler* scheduler_of(boost::asio::any_io_executor const& executor) noexcept {
  using Scheduler = boost::asio::detail::scheduler;
  auto& context = boost::asio::query(executor, boost::asio::execution::context);
  return boost::asio::has_service<Scheduler>(context) ? &boost::asio::use_service<Scheduler>(context) : nullptr;
}

/// Whether a blocking wait here would wait for this very thread: the executor's context
/// runs on it, whatever the executor (the context's own, a strand over it, a type-erased
/// one). It is what io_context's running_in_this_thread() asks.
inline bool running_in_this_thread(boost::asio::any_io_executor const& executor) noexcept {
  auto* scheduler = scheduler_of(executor);
  return scheduler != nullptr && scheduler->can_dispatch();
}

/// Whether the executor's context has been stopped: what it has queued will not run
/// unless it is restarted.
inline bool stopped(boost::asio::any_io_executor const& executor) noexcept {
  auto const* scheduler = scheduler_of(executor);
  return scheduler != nullptr && scheduler->stopped();
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
/// and waits for it. Refused (would_deadlock) on a thread that runs the executor's
/// context, which could never run the operation while it waits.
template <class T>
Result<T> wait(boost::asio::any_io_executor executor, boost::asio::awaitable<Result<T>> operation) {
  if (running_in_this_thread(executor))
    return Error(Errc::would_deadlock, "use the async_ form from code that runs on the manager's executor");
  auto outcome = std::make_shared<Outcome<T>>();
  boost::asio::co_spawn(executor, keep_in<T>(outcome->result, std::move(operation), cancellation_type::none),
                        CompleteWait(outcome));
  outcome->ready.wait(false, std::memory_order_acquire);
  if (outcome->failure) std::rethrow_exception(outcome->failure);
  if (!outcome->result)
    return Error(boost::asio::error::operation_aborted,
                 "the manager's executor was shut down before the operation ended");
  return std::move(*outcome->result);
}

}  // namespace oauth::detail::async

#endif
