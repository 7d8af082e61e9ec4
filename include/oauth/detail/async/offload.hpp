#ifndef OAUTH_DETAIL_ASYNC_OFFLOAD_HPP
#define OAUTH_DETAIL_ASYNC_OFFLOAD_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace oauth::detail::async {

/// Starts `f` on the blocking executor and, when it returns, resumes the awaiting
/// coroutine on its own executor with the result. The awaiting executor's work is counted
/// meanwhile, so its context does not run out of work while a call is away.
template <class F>
struct Offload {
  boost::asio::any_io_executor blocking;
  F f;

  template <class Handler>
  void operator()(Handler handler) {
    auto back = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
    boost::asio::post(blocking, [f = std::move(f), handler = std::move(handler), back = std::move(back)]() mutable {
      auto executor = back.get_executor();
      if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        f();
        boost::asio::post(executor,
                          [handler = std::move(handler), back = std::move(back)]() mutable { std::move(handler)(); });
      } else {
        auto result = f();
        boost::asio::post(executor, [handler = std::move(handler), result = std::move(result),
                                     back = std::move(back)]() mutable { std::move(handler)(std::move(result)); });
      }
    });
  }
};

/// What an offloaded call completes with: its result, or nothing.
template <class R>
struct OffloadSignatureOf {
  using type = void(R);
};

template <>
struct OffloadSignatureOf<void> {
  using type = void();
};

template <class R>
using OffloadSignature = typename OffloadSignatureOf<R>::type;

/// `f()` (a blocking call: a database's) run on `blocking`, off the I/O thread that awaits
/// it. Not cancellable: a call that has begun ends, so that no write is cut in half. `f`
/// may refer to the awaiting coroutine's locals: they live until it resumes.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(boost::asio::any_io_executor blocking, F f) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), OffloadSignature<std::invoke_result_t<F&>>>(
      Offload<F>{std::move(blocking), std::move(f)}, boost::asio::use_awaitable);
}

}  // namespace oauth::detail::async

#endif
