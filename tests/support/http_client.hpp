#ifndef OAUTH_TESTS_SUPPORT_HTTP_CLIENT_HPP
#define OAUTH_TESTS_SUPPORT_HTTP_CLIENT_HPP

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace oauth::testing {

struct HttpReply {
  int status = 0;                                   ///< 0 when no answer came (refused, closed, timed out)
  std::multimap<std::string, std::string> headers;  ///< lower-cased names
  std::string body;

  std::string header(std::string const& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers = {};
  std::string body = {};
};

/// A plain HTTP/1.1 client for a server on 127.0.0.1, as a test would use curl: one
/// connection, kept alive between calls, reopened when the server closed it.
class HttpClient {
public:
  explicit HttpClient(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;

  HttpReply send(HttpCall const& call);
  HttpReply get(std::string const& target, std::string const& bearer = {});

  /// Whether the server has closed this connection (reads end of stream within `wait`).
  bool closed_by_server(std::chrono::milliseconds wait);

  /// Writes raw bytes on the connection, for requests a well-behaved client never sends.
  void write_raw(std::string const& bytes);
  /// Reads one answer on the connection, after write_raw.
  HttpReply read_reply();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace oauth::testing

#endif
