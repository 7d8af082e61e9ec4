#include <oauth/secret.hpp>

#include <string>

// A secret does not silently become a string (which could then be logged).
std::string leak(oauth::AccessToken const& token) { return token; }
