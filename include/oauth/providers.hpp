#ifndef OAUTH_PROVIDERS_HPP
#define OAUTH_PROVIDERS_HPP

// The built-in providers, their list, and the Notion databases.

#include <oauth/providers/all.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/notion/database.hpp>
#include <oauth/providers/notion/databases.hpp>
#include <oauth/providers/youtube.hpp>

#endif
