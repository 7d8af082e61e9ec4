#ifndef OAUTH_CRYPTO_HPP
#define OAUTH_CRYPTO_HPP

// Fernet and the keyring, PKCE, state, random bytes, constant-time comparison.

#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/fernet.hpp>
#include <oauth/crypto/keyring.hpp>
#include <oauth/crypto/pkce.hpp>
#include <oauth/crypto/random.hpp>
#include <oauth/crypto/state.hpp>

#endif
