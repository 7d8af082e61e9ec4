#ifndef OAUTH_SERVICE_ACCESS_LOG_HPP
#define OAUTH_SERVICE_ACCESS_LOG_HPP

// One JSON object a line, to a stream (standard output by default): requests, start-up
// and shutdown. What is written is chosen field by field by the callers, and a request
// is logged by its path and route only: query strings carry codes and states, headers
// carry bearer tokens, and neither is ever written.

#include <oauth/detail/encoding/time.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <mutex>
#include <ostream>
#include <string_view>

namespace oauth::service {

class AccessLog {
public:
  explicit AccessLog(std::ostream& out) : out_(out) {}

  void write(std::string_view level, std::string_view event, boost::json::object fields = {}) {
    boost::json::object line;
    line["time"] = oauth::detail::encoding::to_rfc3339(std::chrono::system_clock::now());
    line["level"] = level;
    line["event"] = event;
    for (auto& [key, value] : fields) line[key] = std::move(value);
    auto text = boost::json::serialize(line);
    text += '\n';
    std::lock_guard lock(mutex_);
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    out_.flush();
  }

private:
  std::ostream& out_;
  std::mutex mutex_;
};

}  // namespace oauth::service

#endif
