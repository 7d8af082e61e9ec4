// Fernet against pyca/cryptography (Debian's python3-cryptography), both ways, for
// random keys and payloads.

#include "support/files.hpp"

#include <oauth/crypto/fernet.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace {

using oauth::crypto::Fernet;

std::string to_hex(std::string const& bytes) {
  std::ostringstream out;
  for (unsigned char c : bytes) out << std::hex << std::setw(2) << std::setfill('0') << int{c};
  return bytes.empty() ? "-" : out.str();
}

std::string from_hex(std::string const& hex) {
  std::string bytes;
  if (hex == "-") return bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

class FernetInterop : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("oauth-fernet-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    int status = 0;
    oauth::test::run_command(python("-c 'import cryptography.fernet'"), status);
    ASSERT_EQ(status, 0) << "python3-cryptography is missing: scripts/bootstrap installs it";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string python(std::string const& args) { return std::string(OAUTH_TEST_PYTHON) + " " + args; }
  static std::string script() { return std::string(OAUTH_TEST_SUPPORT_DIR) + "/fernet_interop.py"; }

  std::filesystem::path dir_;
};

TEST_F(FernetInterop, PycaDecryptsWhatWeEncrypt) {
  auto const path = dir_ / "ours.txt";
  std::ofstream out(path);
  constexpr int count = 60;
  for (int i = 0; i < count; ++i) {
    auto key = Fernet::generate_key().value();
    auto size = static_cast<std::size_t>(i * 97 % 1500);
    std::string payload(size, '\0');
    ASSERT_TRUE(oauth::crypto::random_fill({reinterpret_cast<unsigned char*>(payload.data()), payload.size()}));
    auto token = Fernet::from_key(key).value().encrypt(payload).value();
    out << key.reveal() << ' ' << token << ' ' << to_hex(payload) << '\n';
  }
  out.close();
  int status = 0;
  auto output = oauth::test::run_command(python(script() + " verify " + path.string() + " 2>&1"), status);
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "verified " + std::to_string(count) + "\n");
}

TEST_F(FernetInterop, WeDecryptWhatPycaEncrypts) {
  auto const path = dir_ / "theirs.txt";
  int status = 0;
  auto output = oauth::test::run_command(python(script() + " generate 60 " + path.string() + " 2>&1"), status);
  ASSERT_EQ(status, 0) << output;
  std::ifstream in(path);
  std::string key, token, payload_hex;
  int count = 0;
  while (in >> key >> token >> payload_hex) {
    auto fernet = Fernet::from_key(key);
    ASSERT_TRUE(fernet) << fernet.error().message();
    auto plaintext = fernet->decrypt(token, std::chrono::seconds{600});
    ASSERT_TRUE(plaintext) << plaintext.error().message();
    EXPECT_EQ(*plaintext, from_hex(payload_hex));
    ++count;
  }
  EXPECT_EQ(count, 60);
}

}  // namespace
