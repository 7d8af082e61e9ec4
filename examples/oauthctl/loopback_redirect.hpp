#ifndef OAUTHCTL_LOOPBACK_REDIRECT_HPP
#define OAUTHCTL_LOOPBACK_REDIRECT_HPP

// The native-app redirect of RFC 8252 (section 7.3): a listener on 127.0.0.1, on a port
// the kernel picks, that waits for the browser to bring the authorization response back
// to /callback and tells the person they can close the tab.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace oauthctl {

using CallbackParams = std::map<std::string, std::string>;

/// What the listener does with one request: the page it answers, and the authorization
/// response's query parameters when the request brought them to /callback. The page
/// repeats nothing of the request.
struct CallbackAnswer {
  boost::beast::http::response<boost::beast::http::string_body> page;
  std::optional<CallbackParams> params;
};

CallbackAnswer answer_callback_request(boost::beast::http::request<boost::beast::http::string_body> const& request);

class LoopbackRedirect {
public:
  LoopbackRedirect();

  std::string redirect_uri() const;

  /// The query parameters of the first request for /callback (others are answered 404),
  /// or nothing once `timeout` has passed.
  std::optional<CallbackParams> wait(std::chrono::seconds timeout);

private:
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace oauthctl

#endif
