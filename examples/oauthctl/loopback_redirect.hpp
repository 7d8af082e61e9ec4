#ifndef OAUTHCTL_LOOPBACK_REDIRECT_HPP
#define OAUTHCTL_LOOPBACK_REDIRECT_HPP

// The native-app redirect of RFC 8252 (section 7.3): a listener on 127.0.0.1, on a port
// the kernel picks, that waits for the browser to bring the authorization response back
// to /callback and tells the person they can close the tab.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace oauthctl {

class LoopbackRedirect {
public:
  LoopbackRedirect();

  std::string redirect_uri() const;

  /// The query parameters of the first request for /callback (others are answered 404),
  /// or nothing once `timeout` has passed.
  std::optional<std::map<std::string, std::string>> wait(std::chrono::seconds timeout);

private:
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace oauthctl

#endif
