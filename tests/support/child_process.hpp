#ifndef OAUTH_TESTS_SUPPORT_CHILD_PROCESS_HPP
#define OAUTH_TESTS_SUPPORT_CHILD_PROCESS_HPP

#include <chrono>
#include <string>
#include <vector>

namespace oauth::testing {

/// A program run beside the test (a real OAuth server, another process of a service): its
/// standard output is read line by line; it is terminated when this object goes.
class ChildProcess {
public:
  ChildProcess(std::vector<std::string> argv, std::string working_directory);
  ~ChildProcess();
  ChildProcess(ChildProcess const&) = delete;
  ChildProcess& operator=(ChildProcess const&) = delete;

  /// The next line of output, or an empty string if none came in time or it exited.
  std::string read_line(std::chrono::milliseconds timeout);

  /// Everything it writes from here to the end of its output, or until `timeout`.
  std::string read_rest(std::chrono::milliseconds timeout);

  /// SIGKILL, as a crash or the OOM killer would: no chance to clean up.
  void kill_now();

  /// SIGTERM, as a service manager stopping it would: it may finish what it is doing.
  void terminate();

  /// Its exit status once it exits (again on later calls), or -1 if it is still running
  /// after `timeout`.
  int wait(std::chrono::milliseconds timeout);

private:
  int pid_ = -1;
  int exit_status_ = -1;
  int output_ = -1;
  std::string buffered_;
};

}  // namespace oauth::testing

#endif
