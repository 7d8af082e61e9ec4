#ifndef OAUTH_CRYPTO_PKCE_HPP
#define OAUTH_CRYPTO_PKCE_HPP

#include <oauth/crypto/random.hpp>
#include <oauth/detail/encoding/base64.hpp>
#include <oauth/error.hpp>
#include <oauth/secret.hpp>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace oauth::crypto {

/// RFC 7636 proof key: the verifier stays with us (in the state record), the S256
/// challenge goes into the authorization URL.
struct Pkce {
  static constexpr std::string_view method = "S256";

  CodeVerifier verifier;
  std::string challenge;
};

/// RFC 7636 section 4.1: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~].
inline bool is_valid_code_verifier(std::string_view verifier) noexcept {
  return verifier.size() >= 43 && verifier.size() <= 128 && std::all_of(verifier.begin(), verifier.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                  c == '_' || c == '~';
         });
}

/// BASE64URL(SHA256(ASCII(verifier))), unpadded.
inline Result<std::string> code_challenge_s256(CodeVerifier const& verifier) {
  if (!is_valid_code_verifier(verifier.reveal()))
    return Error(Errc::invalid_argument, "PKCE code verifier must be 43 to 128 unreserved characters");
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  if (EVP_Digest(verifier.reveal().data(), verifier.size(), digest.data(), nullptr, EVP_sha256(), nullptr) != 1)
    return Error(Errc::crypto_failure, "SHA-256 failed");
  return detail::encoding::base64_encode(digest, detail::encoding::Alphabet::url_safe,
                                         detail::encoding::Padding::without);
}

/// A fresh verifier of 32 random bytes (256 bits, 43 characters) and its challenge.
inline Result<Pkce> make_pkce() {
  auto token = random_token(32);
  if (!token) return token.error();
  CodeVerifier verifier{std::move(*token)};
  auto challenge = code_challenge_s256(verifier);
  if (!challenge) return challenge.error();
  return Pkce{std::move(verifier), std::move(*challenge)};
}

}  // namespace oauth::crypto

#endif
