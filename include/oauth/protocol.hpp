#ifndef OAUTH_PROTOCOL_HPP
#define OAUTH_PROTOCOL_HPP

// OAuth's messages, built and read without I/O: authorization URLs and responses,
// endpoint requests, token responses, provider errors.

#include <oauth/protocol/authorization_response.hpp>
#include <oauth/protocol/authorization_url.hpp>
#include <oauth/protocol/client_credentials.hpp>
#include <oauth/protocol/endpoint_request.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/protocol/token_response.hpp>

#endif
