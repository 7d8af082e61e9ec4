#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/encoding/form.hpp>

#include <gtest/gtest.h>

namespace {

using namespace oauth::detail::encoding;

TEST(Base64, Rfc4648TestVectors) {
  std::pair<std::string, std::string> const vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (auto const& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain, Alphabet::standard, Padding::with), encoded);
    EXPECT_EQ(base64_decode(encoded, Alphabet::standard).value(), plain);
    auto unpadded = encoded.substr(0, encoded.find('='));
    EXPECT_EQ(base64_encode(plain, Alphabet::standard, Padding::without), unpadded);
    EXPECT_EQ(base64_decode(unpadded, Alphabet::standard).value(), plain);
  }
}

TEST(Base64, AlphabetsDifferOnlyInTheLastTwoCharacters) {
  std::string const bytes{"\xfb\xff\xbf", 3};
  EXPECT_EQ(base64_encode(bytes, Alphabet::standard, Padding::with), "+/+/");
  EXPECT_EQ(base64_encode(bytes, Alphabet::url_safe, Padding::with), "-_-_");
  EXPECT_FALSE(base64_decode("+/+/", Alphabet::url_safe));
  EXPECT_FALSE(base64_decode("-_-_", Alphabet::standard));
}

TEST(Base64, DecodingIsStrict) {
  for (std::string bad : {"Zg=", "Zg===", "Z", "Zm9v\n", " Zm9v", "Zm=v", "Zh==", "Zm9=", "=", "===="}) {
    EXPECT_FALSE(base64_decode(bad, Alphabet::standard)) << bad;
  }
}

TEST(FormEncoding, FollowsRfc6749AppendixB) {
  EXPECT_EQ(form_urlencode("a b+c/d?e=f&g~h*i-j.k_l"), "a+b%2Bc%2Fd%3Fe%3Df%26g%7Eh*i-j.k_l");
  EXPECT_EQ(form_urlencode("\xc3\xa9"), "%C3%A9");
  std::string body;
  append_form_param(body, "grant_type", "authorization_code");
  append_form_param(body, "redirect_uri", "https://app.example/cb?x=1");
  EXPECT_EQ(body, "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1");
}

}  // namespace
