#include "support/files.hpp"

#include <oauth/crypto/fernet.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using oauth::Errc;
using oauth::crypto::Fernet;
using namespace std::chrono_literals;

std::string const vectors = OAUTH_TEST_VECTORS_DIR "/fernet/";

TEST(FernetSpec, GenerateVectorIsReproducedByteForByte) {
  auto const cases = oauth::test::read_json(vectors + "generate.json");
  for (auto const& v : cases.as_array()) {
    auto const& c = v.as_object();
    auto fernet = Fernet::from_key(std::string(c.at("secret").as_string())).value();
    Fernet::Iv iv{};
    auto const& iv_json = c.at("iv").as_array();
    for (std::size_t i = 0; i < iv.size(); ++i) iv[i] = static_cast<unsigned char>(iv_json[i].as_int64());
    auto token = fernet.encrypt_from_parts(std::string(c.at("src").as_string()),
                                           oauth::test::parse_rfc3339(std::string(c.at("now").as_string())), iv);
    ASSERT_TRUE(token);
    EXPECT_EQ(*token, c.at("token").as_string());
  }
}

TEST(FernetSpec, VerifyVectorDecryptsWithinItsTtl) {
  auto const cases = oauth::test::read_json(vectors + "verify.json");
  for (auto const& v : cases.as_array()) {
    auto const& c = v.as_object();
    auto fernet = Fernet::from_key(std::string(c.at("secret").as_string())).value();
    auto plaintext =
        fernet.decrypt_at_time(std::string(c.at("token").as_string()), std::chrono::seconds{c.at("ttl_sec").as_int64()},
                               oauth::test::parse_rfc3339(std::string(c.at("now").as_string())));
    ASSERT_TRUE(plaintext) << plaintext.error().message();
    EXPECT_EQ(*plaintext, c.at("src").as_string());
  }
}

TEST(FernetSpec, EveryInvalidVectorFailsWithItsOwnError) {
  // The MAC of each case was checked independently: only the first three are rejected
  // before or at the signature; the rest are well signed and fail afterwards.
  std::map<std::string, Errc> const expected{
      {"incorrect mac", Errc::invalid_signature},
      {"too short", Errc::malformed_token},
      {"invalid base64", Errc::malformed_token},
      {"payload size not multiple of block size", Errc::malformed_token},
      {"payload padding error", Errc::decryption_failed},
      {"far-future TS (unacceptable clock skew)", Errc::token_from_future},
      {"expired TTL", Errc::token_expired},
      {"incorrect IV (causes padding error)", Errc::decryption_failed},
  };
  auto const document = oauth::test::read_json(vectors + "invalid.json");
  auto const& cases = document.as_array();
  ASSERT_EQ(cases.size(), expected.size());
  for (auto const& v : cases) {
    auto const& c = v.as_object();
    std::string const desc(c.at("desc").as_string());
    SCOPED_TRACE(desc);
    auto fernet = Fernet::from_key(std::string(c.at("secret").as_string())).value();
    auto plaintext =
        fernet.decrypt_at_time(std::string(c.at("token").as_string()), std::chrono::seconds{c.at("ttl_sec").as_int64()},
                               oauth::test::parse_rfc3339(std::string(c.at("now").as_string())));
    ASSERT_FALSE(plaintext);
    EXPECT_EQ(plaintext.error().code, oauth::make_error_code(expected.at(desc))) << plaintext.error().message();
  }
}

// One instance keeps its keyed OpenSSL contexts between calls; a context that last
// failed, or last opened a token too long for the stack, must serve the next call as if new.
TEST(FernetSpec, VectorsHoldOnOneInstanceAfterFailuresAndLongTokens) {
  auto const generate = oauth::test::read_json(vectors + "generate.json").as_array().at(0).as_object();
  auto const verify = oauth::test::read_json(vectors + "verify.json").as_array().at(0).as_object();
  auto const invalid = oauth::test::read_json(vectors + "invalid.json").as_array();
  auto fernet = Fernet::from_key(std::string(generate.at("secret").as_string())).value();
  Fernet::Iv iv{};
  auto const& iv_json = generate.at("iv").as_array();
  for (std::size_t i = 0; i < iv.size(); ++i) iv[i] = static_cast<unsigned char>(iv_json[i].as_int64());
  std::string const long_text(5000, 'x');
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    for (auto const& v : invalid) {
      auto const& c = v.as_object();
      auto failed = fernet.decrypt_at_time(std::string(c.at("token").as_string()),
                                           std::chrono::seconds{c.at("ttl_sec").as_int64()},
                                           oauth::test::parse_rfc3339(std::string(c.at("now").as_string())));
      ASSERT_FALSE(failed);
    }
    auto const long_token = fernet.encrypt(long_text).value();
    EXPECT_GT(long_token.size(), 4096u);
    EXPECT_EQ(fernet.decrypt(long_token).value(), long_text);
    auto token = fernet.encrypt_from_parts(std::string(generate.at("src").as_string()),
                                           oauth::test::parse_rfc3339(std::string(generate.at("now").as_string())), iv);
    EXPECT_EQ(token.value(), generate.at("token").as_string());
    auto plaintext = fernet.decrypt_at_time(std::string(verify.at("token").as_string()),
                                            std::chrono::seconds{verify.at("ttl_sec").as_int64()},
                                            oauth::test::parse_rfc3339(std::string(verify.at("now").as_string())));
    EXPECT_EQ(plaintext.value(), verify.at("src").as_string());
  }
}

class FernetTest : public ::testing::Test {
protected:
  Fernet fernet = Fernet::from_key(Fernet::generate_key().value()).value();
};

TEST_F(FernetTest, RoundTripsEmptyTextAndBinaryPayloadsOfEveryBlockAlignment) {
  for (std::size_t size = 0; size <= 70; ++size) {
    std::string payload(size, '\0');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>((i * 37 + size) & 0xff);
    auto token = fernet.encrypt(payload);
    ASSERT_TRUE(token);
    auto back = fernet.decrypt(*token);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, payload);
  }
}

TEST_F(FernetTest, TwoEncryptionsOfOneTextDifferByTheirIv) {
  EXPECT_NE(fernet.encrypt("same").value(), fernet.encrypt("same").value());
}

TEST_F(FernetTest, TokenIsUrlSafeAndCarriesItsTimestamp) {
  auto const at = std::chrono::sys_seconds{1'700'000'000s};
  auto token = fernet.encrypt_at_time("payload", at).value();
  EXPECT_EQ(token.find_first_of("+/"), std::string::npos);
  EXPECT_EQ(token.substr(0, 2), "gA");  // version byte 0x80
  EXPECT_EQ(fernet.extract_timestamp(token).value(), at);
}

TEST_F(FernetTest, TtlAndClockSkewFollowPyca) {
  auto const made = std::chrono::sys_seconds{1'700'000'000s};
  auto token = fernet.encrypt_at_time("t", made).value();
  EXPECT_TRUE(fernet.decrypt_at_time(token, 60s, made + 60s));
  EXPECT_EQ(fernet.decrypt_at_time(token, 60s, made + 61s).error(), Errc::token_expired);
  EXPECT_TRUE(fernet.decrypt_at_time(token, 60s, made - 60s));
  EXPECT_EQ(fernet.decrypt_at_time(token, 60s, made - 61s).error(), Errc::token_from_future);
  // Without a TTL neither age nor skew is checked, as in pyca.
  EXPECT_TRUE(fernet.decrypt_at_time(token, std::nullopt, made + 86'400s * 365));
  EXPECT_TRUE(fernet.decrypt_at_time(token, std::nullopt, made - 86'400s));
}

TEST_F(FernetTest, AnyChangedCharacterIsRejectedAndNeverYieldsPlaintext) {
  auto const token = fernet.encrypt("a secret worth protecting").value();
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '=') continue;
    auto forged = token;
    forged[i] = forged[i] == 'A' ? 'B' : 'A';
    auto result = fernet.decrypt(forged);
    ASSERT_FALSE(result) << "position " << i;
    EXPECT_TRUE(result.error() == Errc::invalid_signature || result.error() == Errc::malformed_token ||
                result.error() == Errc::unsupported_token_version)
        << result.error().message();
  }
}

TEST_F(FernetTest, MalformedInputOfEveryKindIsATypedError) {
  auto const token = fernet.encrypt("payload").value();
  auto raw = oauth::detail::encoding::base64_decode(token, oauth::detail::encoding::Alphabet::url_safe).value();
  auto encode = [](std::string const& bytes) {
    return oauth::detail::encoding::base64_encode(bytes, oauth::detail::encoding::Alphabet::url_safe,
                                                  oauth::detail::encoding::Padding::with);
  };
  struct Case {
    std::string name;
    std::string token;
    Errc expected;
  };
  auto wrong_version = raw;
  wrong_version[0] = '\x81';
  std::vector<Case> const cases{
      {"empty", "", Errc::malformed_token},
      {"standard base64 alphabet", token.substr(0, 10) + "+/" + token.substr(12), Errc::malformed_token},
      {"white space", " " + token, Errc::malformed_token},
      {"truncated base64", token.substr(0, token.size() - 5), Errc::malformed_token},
      {"wrong version", encode(wrong_version), Errc::unsupported_token_version},
      {"header only", encode(raw.substr(0, 25)), Errc::malformed_token},
      {"ciphertext cut by a byte", encode(raw.substr(0, raw.size() - 1)), Errc::malformed_token},
      {"extra block", encode(raw + std::string(16, 'x')), Errc::invalid_signature},
      {"NUL bytes", std::string(100, '\0'), Errc::malformed_token},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.name);
    auto result = fernet.decrypt(c.token);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, oauth::make_error_code(c.expected)) << result.error().message();
  }
}

TEST_F(FernetTest, AnotherKeyCannotReadTheToken) {
  auto other = Fernet::from_key(Fernet::generate_key().value()).value();
  auto result = other.decrypt(fernet.encrypt("mine").value());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), Errc::invalid_signature);
}

TEST(FernetKey, GeneratedKeysAre44CharactersAndDistinct) {
  auto a = Fernet::generate_key().value();
  auto b = Fernet::generate_key().value();
  EXPECT_EQ(a.size(), 44u);
  EXPECT_FALSE(a == b);
}

TEST(FernetKey, InvalidKeysAreRefusedWithoutEchoingThem) {
  for (std::string key :
       {"", "short", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=AAAA", "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==" /* 31 bytes */}) {
    SCOPED_TRACE(key);
    auto f = Fernet::from_key(key);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error(), Errc::invalid_key);
    if (!key.empty()) {
      EXPECT_EQ(f.error().message().find(key), std::string::npos);
    }
  }
}

TEST(FernetKey, PaddingOfAKeyIsOptional) {
  EXPECT_TRUE(Fernet::from_key("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4"));
}

TEST(FernetThreads, OneInstanceServesManyThreads) {
  auto fernet = Fernet::from_key(Fernet::generate_key().value()).value();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto text = std::to_string(t) + ":" + std::to_string(i);
        auto back = fernet.decrypt(fernet.encrypt(text).value());
        if (!back || *back != text) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
