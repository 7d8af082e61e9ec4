#ifndef OAUTH_VERSION_HPP
#define OAUTH_VERSION_HPP

// The one place the version lives; CMakeLists.txt reads these three lines.
#define OAUTH_VERSION_MAJOR 0
#define OAUTH_VERSION_MINOR 1
#define OAUTH_VERSION_PATCH 0

#define OAUTH_VERSION (OAUTH_VERSION_MAJOR * 10000 + OAUTH_VERSION_MINOR * 100 + OAUTH_VERSION_PATCH)

#endif
