#include <oauth/crypto/keyring.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

using oauth::Errc;
using oauth::crypto::Fernet;
using oauth::crypto::KeyPolicy;
using oauth::crypto::Keyring;

std::string new_key() { return std::string(Fernet::generate_key().value().reveal()); }

/// Sets a variable (OAUTH_ENCRYPTION_KEY unless named) for one test and restores what was
/// there. The alias starts unset, whatever the test's own environment holds.
class EnvironmentKey {
public:
  explicit EnvironmentKey(char const* value, std::string name = "OAUTH_ENCRYPTION_KEY") : name_(std::move(name)) {
    if (char const* old = std::getenv(name_.c_str())) saved_ = old;
    if (value != nullptr)
      ::setenv(name_.c_str(), value, 1);
    else
      ::unsetenv(name_.c_str());
  }
  ~EnvironmentKey() {
    if (saved_)
      ::setenv(name_.c_str(), saved_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

private:
  std::string name_;
  std::optional<std::string> saved_;
};

struct WithoutAlias {
  EnvironmentKey alias{nullptr, "CREDENTIAL_ENCRYPTION_KEY"};
};

TEST(Keyring, EncryptsWithTheNewestAndDecryptsWithAny) {
  auto const old_key = new_key(), newest = new_key();
  auto before_rotation = Keyring::from_list(old_key).value();
  auto const legacy_token = before_rotation.encrypt("refresh-token-1").value();

  auto ring = Keyring::from_list(newest + "," + old_key).value();
  EXPECT_EQ(ring.size(), 2u);
  auto legacy = ring.decrypt(legacy_token).value();
  EXPECT_EQ(legacy.plaintext, "refresh-token-1");
  EXPECT_EQ(legacy.key_index, 1u);
  EXPECT_TRUE(legacy.needs_reencryption());

  auto fresh = ring.decrypt(ring.encrypt("refresh-token-2").value()).value();
  EXPECT_EQ(fresh.key_index, 0u);
  EXPECT_FALSE(fresh.needs_reencryption());
  // Only the newest key made the fresh token.
  EXPECT_EQ(before_rotation.decrypt(ring.encrypt("x").value()).error(), Errc::invalid_signature);
}

TEST(Keyring, ReencryptMovesATokenUnderTheNewestKey) {
  auto const old_key = new_key(), newest = new_key();
  auto const legacy_token = Keyring::from_list(old_key).value().encrypt("payload").value();
  auto ring = Keyring::from_list(newest + ", " + old_key).value();

  auto moved = ring.reencrypt(legacy_token).value();
  EXPECT_NE(moved, legacy_token);
  EXPECT_EQ(ring.decrypt(moved).value().key_index, 0u);
  EXPECT_EQ(ring.decrypt(moved).value().plaintext, "payload");
  // Once the old key is retired, the moved token still opens.
  EXPECT_EQ(Keyring::from_list(newest).value().decrypt(moved).value().plaintext, "payload");
  EXPECT_EQ(ring.reencrypt(moved).value(), moved);
}

TEST(Keyring, ATokenNoKeyMadeIsRefused) {
  auto ring = Keyring::from_list(new_key() + "," + new_key()).value();
  auto stranger = Keyring::from_list(new_key()).value().encrypt("x").value();
  EXPECT_EQ(ring.decrypt(stranger).error(), Errc::invalid_signature);
  EXPECT_EQ(ring.decrypt("not a token").error(), Errc::malformed_token);
}

TEST(Keyring, BadListsAreRefusedNamingThePositionNotTheKey) {
  auto const good = new_key();
  for (std::string list : {std::string(""), good + ",", "," + good, good + ",,", good + ",not-a-key"}) {
    SCOPED_TRACE(list);
    auto ring = Keyring::from_list(list);
    ASSERT_FALSE(ring);
    EXPECT_EQ(ring.error(), Errc::invalid_key);
    EXPECT_EQ(ring.error().message().find(good), std::string::npos);
    EXPECT_EQ(ring.error().message().find("not-a-key"), std::string::npos);
  }
  EXPECT_NE(Keyring::from_list(good + ",not-a-key").error().description.find("position 2"), std::string::npos);
}

TEST(Keyring, ReadsKeysFromTheEnvironment) {
  WithoutAlias no_alias;
  auto const a = new_key(), b = new_key();
  EnvironmentKey env((a + "," + b).c_str());
  auto ring = Keyring::from_environment();
  ASSERT_TRUE(ring) << ring.error().message();
  EXPECT_EQ(ring->size(), 2u);
  EXPECT_EQ(Keyring::from_list(a).value().decrypt(ring->encrypt("x").value()).value().plaintext, "x");
}

// CREDENTIAL_ENCRYPTION_KEY, the name another plan gave the variable, is read too; set
// beside OAUTH_ENCRYPTION_KEY it must say the same, or neither is trusted.
TEST(Keyring, AcceptsTheAliasAndRefusesTwoDifferentLists) {
  auto const a = new_key(), b = new_key();
  EnvironmentKey primary(nullptr);
  EnvironmentKey alias(a.c_str(), "CREDENTIAL_ENCRYPTION_KEY");
  auto ring = Keyring::from_environment();
  ASSERT_TRUE(ring) << ring.error().message();
  EXPECT_EQ(ring->key_id(), Keyring::from_list(a).value().key_id());

  EnvironmentKey same(a.c_str());
  EXPECT_EQ(Keyring::from_environment().value().key_id(), ring->key_id());

  EnvironmentKey different(b.c_str());
  auto refused = Keyring::from_environment(KeyPolicy::allow_ephemeral_for_dev, [](std::string_view) {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), Errc::invalid_key);
  auto const message = refused.error().message();
  EXPECT_NE(message.find("CREDENTIAL_ENCRYPTION_KEY"), std::string::npos) << message;
  EXPECT_EQ(message.find(a), std::string::npos);
  EXPECT_EQ(message.find(b), std::string::npos);
}

TEST(Keyring, RefusesToStartWithoutAKey) {
  WithoutAlias no_alias;
  EnvironmentKey env(nullptr);
  auto ring = Keyring::from_environment();
  ASSERT_FALSE(ring);
  EXPECT_EQ(ring.error(), Errc::missing_key);
  EXPECT_NE(ring.error().message().find("OAUTH_ENCRYPTION_KEY"), std::string::npos);
  EnvironmentKey empty("");
  EXPECT_EQ(Keyring::from_environment().error(), Errc::missing_key);
}

TEST(Keyring, DevelopmentModeMakesAnEphemeralKeyAndWarnsLoudly) {
  WithoutAlias no_alias;
  EnvironmentKey env(nullptr);
  std::string warning;
  auto ring = Keyring::from_environment(KeyPolicy::allow_ephemeral_for_dev,
                                        [&](std::string_view message) { warning = message; });
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->decrypt(ring->encrypt("dev").value()).value().plaintext, "dev");
  EXPECT_NE(warning.find("WARNING"), std::string::npos);
  EXPECT_NE(warning.find("ephemeral"), std::string::npos);
  // Each process gets its own key: another ephemeral ring cannot read this one's tokens.
  auto other = Keyring::from_environment(KeyPolicy::allow_ephemeral_for_dev, [](std::string_view) {});
  EXPECT_EQ(other->decrypt(ring->encrypt("dev").value()).error(), Errc::invalid_signature);
}

TEST(Keyring, DevelopmentModeStillUsesAConfiguredKey) {
  WithoutAlias no_alias;
  auto const key = new_key();
  EnvironmentKey env(key.c_str());
  bool warned = false;
  auto ring = Keyring::from_environment(KeyPolicy::allow_ephemeral_for_dev, [&](std::string_view) { warned = true; });
  ASSERT_TRUE(ring);
  EXPECT_FALSE(warned);
  EXPECT_TRUE(Keyring::from_list(key).value().decrypt(ring->encrypt("x").value()));
}

}  // namespace
