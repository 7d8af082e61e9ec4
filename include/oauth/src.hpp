#ifndef OAUTH_SRC_HPP
#define OAUTH_SRC_HPP

// The compiled mode's main translation unit: the bodies the headers only declare under
// OAUTH_SEPARATE_COMPILATION (Fernet and the keyring, the HTTPS transport, the manager's
// engine, the token store over the memory and any backends), with Asio's, Asio SSL's and
// Beast's own. The token store over a database is compiled beside it, by component
// (impl/store/<name>.ipp). Compile it once in a program whose every translation unit
// defines OAUTH_SEPARATE_COMPILATION, BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION; the oauth::compiled target does both.

#if !defined(OAUTH_SEPARATE_COMPILATION) || !defined(BOOST_ASIO_SEPARATE_COMPILATION) || \
    !defined(BOOST_BEAST_SEPARATE_COMPILATION)
#error \
    "oauth/src.hpp is for the compiled mode: define OAUTH_SEPARATE_COMPILATION, BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION"
#endif

#include <oauth/impl/crypto/fernet.ipp>
#include <oauth/impl/crypto/keyring.ipp>
#include <oauth/impl/http/https_transport.ipp>
#include <oauth/impl/manager/engine.ipp>
#include <oauth/impl/store/any.ipp>
#include <oauth/impl/store/memory.ipp>

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

#endif
