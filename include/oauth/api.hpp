#ifndef OAUTH_API_HPP
#define OAUTH_API_HPP

// A provider's API with an integration's token: requests, the authorized client,
// pagination.

#include <oauth/api/client.hpp>
#include <oauth/api/pages.hpp>
#include <oauth/api/pagination.hpp>
#include <oauth/api/request.hpp>

#endif
