#ifndef OAUTH_DETAIL_MANAGER_HANDED_OVER_TRANSACTION_HPP
#define OAUTH_DETAIL_MANAGER_HANDED_OVER_TRANSACTION_HPP

#include <oauth/detail/store/store_port.hpp>
#include <oauth/error.hpp>
#include <oauth/store/unit_of_work.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <utility>

namespace oauth::detail::manager {

/// A transaction handed to the store whole (StorePort::together_deferred): the awaiting
/// coroutine is resumed on its own executor with the outcome, which comes from the thread
/// that led the commit. Leaders start on `leaders` (the store executor). The awaiting
/// executor's work is counted meanwhile, so its context does not run out of work.
template <class Work, class Handler>
class HandedOverTransaction final : public oauth::store::DeferredWork {
public:
  HandedOverTransaction(Work& work, Handler handler, boost::asio::any_io_executor leaders)
      : work_(work),
        back_(boost::asio::make_work_guard(boost::asio::get_associated_executor(handler))),
        handler_(std::move(handler)),
        leaders_(std::move(leaders)) {}

  Result<void> run() override { return work_(); }

  void finish(Result<void> outcome, std::exception_ptr thrown) noexcept override {
    std::unique_ptr<HandedOverTransaction> const self(this);  // the store's last touch
    auto executor = back_.get_executor();
    try {
      boost::asio::post(executor,
                        [handler = std::move(handler_), outcome = std::move(outcome), thrown,
                         back = std::move(back_)]() mutable { std::move(handler)(thrown, std::move(outcome)); });
    } catch (...) {
      // No memory for the post: the awaiting coroutine could never be resumed, and would
      // hold whatever it holds forever.
      std::terminate();
    }
  }

  void start_leader(std::function<void()> lead) override { boost::asio::post(leaders_, std::move(lead)); }

private:
  Work& work_;
  boost::asio::executor_work_guard<boost::asio::associated_executor_t<Handler>> back_;
  Handler handler_;
  boost::asio::any_io_executor leaders_;
};

/// `work()` as one transaction of `store`, handed over (see HandedOverTransaction): the
/// transaction's outcome, or what `work` threw, thrown here. `work` lives in the awaiting
/// coroutine, which is not resumed before the store is done with it.
template <class Work>
boost::asio::awaitable<Result<void>> hand_over(store::StorePort& store, oauth::store::Durability durability, Work& work,
                                               boost::asio::any_io_executor leaders) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr, Result<void>)>(
      [&store, durability, &work, leaders = std::move(leaders)](auto handler) mutable {
        using Transaction = HandedOverTransaction<Work, decltype(handler)>;
        auto transaction = std::make_unique<Transaction>(work, std::move(handler), std::move(leaders));
        // Once handed over, the transaction is the store's, which finishes it, maybe at once.
        store.together_deferred(durability, *transaction);
        static_cast<void>(transaction.release());
      },
      boost::asio::use_awaitable);
}

}  // namespace oauth::detail::manager

#endif
