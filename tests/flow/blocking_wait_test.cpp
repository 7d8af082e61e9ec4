// The blocking forms' wait (detail/async/spawn.hpp): an operation run on the manager's
// executor, waited for on the calling thread.
#include <oauth/detail/async/spawn.hpp>
#include <oauth/runtime.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

namespace oauth::testing {
namespace {

using namespace std::chrono_literals;

boost::asio::awaitable<Result<int>> answer(int value) {
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor, 1ms);
  co_await timer.async_wait(boost::asio::use_awaitable);
  co_return value;
}

boost::asio::awaitable<Result<int>> fail() {
  co_await answer(0);
  throw std::logic_error("broken");
}

TEST(BlockingWait, HandsBackTheOperationsResult) {
  Runtime runtime;
  auto result = detail::async::wait<int>(runtime.executor(), answer(7));
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, 7);
}

TEST(BlockingWait, AnExceptionFromTheOperationReachesTheCaller) {
  Runtime runtime;
  EXPECT_THROW(static_cast<void>(detail::async::wait<int>(runtime.executor(), fail())), std::logic_error);
}

// Before, the wait went through a std::future: a context destroyed under it threw
// broken_promise. Now it is an error like any other, and the caller is never left waiting.
TEST(BlockingWait, AContextDestroyedUnderTheOperationEndsTheWaitAsAborted) {
  auto context = std::make_unique<boost::asio::io_context>();
  std::atomic<bool> started = false;
  auto forever = [&]() -> boost::asio::awaitable<Result<int>> {
    started = true;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 24h);
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return 1;
  };
  auto work = std::make_optional(boost::asio::make_work_guard(*context));
  std::optional<Result<int>> result;
  std::thread waiter([&] { result = detail::async::wait<int>(context->get_executor(), forever()); });
  while (!started) context->run_one_for(10ms);
  work.reset();
  context.reset();  // destroys the suspended operation, and its completion with it
  waiter.join();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().code, boost::asio::error::operation_aborted);
}

}  // namespace
}  // namespace oauth::testing
