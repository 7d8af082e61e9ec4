#ifndef OAUTH_DETAIL_CONFIG_HPP
#define OAUTH_DETAIL_CONFIG_HPP

// Header-only by default: every body is in the headers. With OAUTH_SEPARATE_COMPILATION
// (the oauth::compiled target sets it), the headers only declare what does not depend on
// a template argument, and oauth/src.hpp, compiled once, defines it: Fernet and the
// keyring, the HTTPS transport, the manager's engine, the token store over the memory
// and any backends, and Asio's, Beast's and Asio SSL's own sources. Asio's
// BOOST_ASIO_SEPARATE_COMPILATION is the precedent. OAUTH_COMPILED_SQLITE,
// OAUTH_COMPILED_POSTGRES and OAUTH_COMPILED_REDIS say that the token store over that
// backend is compiled too (impl/store/<name>.ipp): the oauth::compiled target sets each
// for the components the package has.
#if defined(OAUTH_SEPARATE_COMPILATION)
#define OAUTH_DECL
#else
#define OAUTH_HEADER_ONLY 1
#define OAUTH_DECL inline
#endif

#endif
