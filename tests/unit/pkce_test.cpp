#include <oauth/crypto/pkce.hpp>

#include <gtest/gtest.h>

#include <set>

namespace {

using oauth::CodeVerifier;

TEST(Pkce, Rfc7636AppendixBVector) {
  CodeVerifier verifier{"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"};
  EXPECT_EQ(oauth::crypto::code_challenge_s256(verifier).value(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, FreshPairsAreValidDistinctAndConsistent) {
  std::set<std::string> verifiers;
  for (int i = 0; i < 100; ++i) {
    auto pkce = oauth::crypto::make_pkce().value();
    EXPECT_EQ(pkce.verifier.size(), 43u);
    EXPECT_TRUE(oauth::crypto::is_valid_code_verifier(pkce.verifier.reveal()));
    EXPECT_EQ(pkce.challenge, oauth::crypto::code_challenge_s256(pkce.verifier).value());
    EXPECT_EQ(pkce.challenge.size(), 43u);
    verifiers.emplace(pkce.verifier.reveal());
  }
  EXPECT_EQ(verifiers.size(), 100u);
  EXPECT_EQ(oauth::crypto::Pkce::method, "S256");
}

TEST(Pkce, VerifiersOutsideRfc7636AreRefused) {
  for (std::string bad : {std::string(42, 'a'), std::string(129, 'a'), std::string(42, 'a') + "+",
                          std::string(42, 'a') + " ", std::string(42, 'a') + "/"}) {
    EXPECT_FALSE(oauth::crypto::is_valid_code_verifier(bad)) << bad;
    EXPECT_EQ(oauth::crypto::code_challenge_s256(CodeVerifier{bad}).error(), oauth::Errc::invalid_argument);
  }
  EXPECT_TRUE(oauth::crypto::is_valid_code_verifier(std::string(128, '~')));
  EXPECT_TRUE(oauth::crypto::is_valid_code_verifier("abcdefghijklmnopqrstuvwxyz-._~ABCDEFGHIJKLMN0123"));
}

}  // namespace
