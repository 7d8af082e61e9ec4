#ifndef OAUTH_HTTP_HPP
#define OAUTH_HTTP_HPP

// HTTP messages, the transport concept, and the HTTPS transport on Beast.

#include <oauth/http/https_transport.hpp>
#include <oauth/http/message.hpp>
#include <oauth/http/transport.hpp>

#endif
