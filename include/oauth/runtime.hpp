#ifndef OAUTH_RUNTIME_HPP
#define OAUTH_RUNTIME_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <thread>
#include <vector>

namespace oauth {

/// An io_context run by threads of its own, for programs that have no event loop of
/// their own: hand its executor to a Manager and call the blocking API from anywhere else.
class Runtime {
public:
  explicit Runtime(unsigned threads = 1) : work_(context_.get_executor()) {
    for (unsigned i = 0; i < std::max(threads, 1u); ++i) threads_.emplace_back([this] { context_.run(); });
  }

  Runtime(Runtime const&) = delete;
  Runtime& operator=(Runtime const&) = delete;
  Runtime(Runtime&&) = delete;
  Runtime& operator=(Runtime&&) = delete;

  ~Runtime() {
    work_.reset();
    context_.stop();
    for (auto& thread : threads_) thread.join();
  }

  boost::asio::any_io_executor executor() noexcept { return context_.get_executor(); }

private:
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

}  // namespace oauth

#endif
