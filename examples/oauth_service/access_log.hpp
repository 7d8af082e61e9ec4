#ifndef OAUTH_SERVICE_ACCESS_LOG_HPP
#define OAUTH_SERVICE_ACCESS_LOG_HPP

// One JSON object a line, to a stream (standard output by default): requests, start-up
// and shutdown. What is written is chosen field by field by the callers, and a request
// is logged by its path and route only: query strings carry codes and states, headers
// carry bearer tokens, and neither is ever written.
//
// Request lines may be held and written many at once (hold()): under load one write
// carries many lines. Whatever is held goes out with the next line written at once
// (write()), at flush(), once 64 KiB or 100 ms of lines are held, and when the log is
// destroyed.

#include <oauth/detail/encoding/time.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace oauth::service {

class AccessLog {
public:
  explicit AccessLog(std::ostream& out) : out_(out) {}
  AccessLog(AccessLog const&) = delete;
  AccessLog& operator=(AccessLog const&) = delete;
  ~AccessLog() { flush(); }

  /// Writes the line now, after every line held before it.
  void write(std::string_view level, std::string_view event, boost::json::object fields = {}) {
    auto text = line(level, event, fields);
    std::lock_guard lock(mutex_);
    held_ += text;
    write_held();
  }

  /// Holds the line until the next write() or flush(), or until enough are held.
  void hold(std::string_view level, std::string_view event, boost::json::object fields = {}) {
    auto text = line(level, event, fields);
    auto const now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (held_.empty()) first_held_ = now;
    held_ += text;
    if (held_.size() >= held_bytes || now - first_held_ >= held_time) write_held();
  }

  void flush() {
    std::lock_guard lock(mutex_);
    if (!held_.empty()) write_held();
  }

private:
  static constexpr std::size_t held_bytes = 64 * 1024;
  static constexpr std::chrono::milliseconds held_time{100};

  /// The three fields every line starts with, then the caller's, serialized once.
  static std::string line(std::string_view level, std::string_view event, boost::json::object const& fields) {
    std::string text = R"({"time":")";
    text += oauth::detail::encoding::to_rfc3339(std::chrono::system_clock::now());
    text += R"(","level":)";
    text += boost::json::serialize(boost::json::string_view(level));
    text += R"(,"event":)";
    text += boost::json::serialize(boost::json::string_view(event));
    if (fields.empty()) {
      text += '}';
    } else {
      auto const rest = boost::json::serialize(fields);  // {"key":value,...}
      text += ',';
      text.append(rest, 1);
    }
    text += '\n';
    return text;
  }

  void write_held() {
    out_.write(held_.data(), static_cast<std::streamsize>(held_.size()));
    out_.flush();
    held_.clear();
  }

  std::ostream& out_;
  std::mutex mutex_;
  std::string held_;
  std::chrono::steady_clock::time_point first_held_;
};

}  // namespace oauth::service

#endif
