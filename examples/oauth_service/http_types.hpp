#ifndef OAUTH_SERVICE_HTTP_TYPES_HPP
#define OAUTH_SERVICE_HTTP_TYPES_HPP

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace oauth::service {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// The other end of a connection.
struct Peer {
  std::string address;
};

}  // namespace oauth::service

#endif
