#ifndef OAUTH_CRYPTO_KEYRING_HPP
#define OAUTH_CRYPTO_KEYRING_HPP

#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/fernet.hpp>
#include <oauth/error.hpp>
#include <oauth/secret.hpp>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::crypto {

/// What to do when no key is configured.
enum class KeyPolicy {
  require,                  ///< refuse to start: the only safe choice in production
  allow_ephemeral_for_dev,  ///< make a throwaway key and warn: data encrypted with it dies with the process
};

/// A plaintext and which key opened it: 0 is the newest, so anything else should be
/// re-encrypted under the newest.
struct Decrypted {
  std::string plaintext;
  std::size_t key_index = 0;

  bool needs_reencryption() const noexcept { return key_index != 0; }
};

/// The keys that protect stored tokens, newest first: encrypts with the newest and
/// decrypts with any, so keys can be rotated without losing what is stored.
class Keyring {
public:
  static constexpr std::string_view environment_variable = "OAUTH_ENCRYPTION_KEY";
  /// The same keys under the name some deployments already give them.
  static constexpr std::string_view alias_environment_variable = "CREDENTIAL_ENCRYPTION_KEY";

  using WarningSink = std::function<void(std::string_view)>;

  /// Keys from a comma-separated list, newest first. White space around a key is ignored.
  static Result<Keyring> from_list(std::string_view list) {
    Keyring ring;
    std::size_t position = 0;
    while (true) {
      auto const comma = list.find(',');
      auto entry = trim(list.substr(0, comma));
      ++position;
      if (entry.empty())
        return Error(Errc::invalid_key,
                     "encryption key list has an empty entry at position " + std::to_string(position));
      auto fernet = Fernet::from_key(entry);
      if (!fernet)
        return Error(Errc::invalid_key, "encryption key at position " + std::to_string(position) +
                                            " is not a Fernet key (32 bytes in URL-safe base64)");
      ring.keys_.push_back(std::move(*fernet));
      ring.ids_.push_back(fingerprint(entry));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    return ring;
  }

  /// The key list the environment gives: OAUTH_ENCRYPTION_KEY, or its alias
  /// CREDENTIAL_ENCRYPTION_KEY; nothing when neither is set. Both set to different lists
  /// is refused with invalid_key: which one is meant cannot be told.
  static Result<std::optional<std::string>> configured_keys() {
    auto const read = [](std::string_view name) -> std::optional<std::string> {
      char const* value = std::getenv(std::string(name).c_str());
      if (value == nullptr || *value == '\0') return std::nullopt;
      return std::string(value);
    };
    auto keys = read(environment_variable);
    auto const alias = read(alias_environment_variable);
    if (keys && alias && !constant_time_equal(*keys, *alias))
      return Error(Errc::invalid_key,
                   "OAUTH_ENCRYPTION_KEY and CREDENTIAL_ENCRYPTION_KEY are both set, and differ: "
                   "set one of them");
    return keys ? keys : alias;
  }

  /// Keys from OAUTH_ENCRYPTION_KEY (or CREDENTIAL_ENCRYPTION_KEY). Without either, fails
  /// with missing_key unless the policy allows an ephemeral development key, in which
  /// case `warn` is told loudly.
  static Result<Keyring> from_environment(KeyPolicy policy = KeyPolicy::require,
                                          WarningSink const& warn = default_warning_sink()) {
    auto keys = configured_keys();
    if (!keys) return keys.error();
    if (*keys) return from_list(**keys);
    if (policy == KeyPolicy::require)
      return Error(Errc::missing_key, "set OAUTH_ENCRYPTION_KEY to one or more Fernet keys, newest first");
    auto key = Fernet::generate_key();
    if (!key) return key.error();
    warn(
        "WARNING: OAUTH_ENCRYPTION_KEY is not set. Development mode: tokens are encrypted with an "
        "ephemeral key and cannot be read after this process exits. Never run like this in production.");
    return from_list(key->reveal());
  }

  static WarningSink default_warning_sink() {
    return [](std::string_view message) { std::clog << "\n*** " << message << " ***\n\n"; };
  }

  std::size_t size() const noexcept { return keys_.size(); }

  /// A short name for key `index` (0 is the newest): 12 hex digits of its SHA-256, stored
  /// beside each token so that a rotation can tell which tokens still need it.
  std::string const& key_id(std::size_t index = 0) const { return ids_.at(index); }

  Result<std::string> encrypt(std::string_view plaintext) const { return keys_.front().encrypt(plaintext); }

  /// Tries each key, newest first. A token no key verifies fails with invalid_signature;
  /// any other failure (malformed, bad padding) is reported from the key that verified it.
  Result<Decrypted> decrypt(std::string_view token) const {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      auto plaintext = keys_[i].decrypt(token);
      if (plaintext) return Decrypted{std::move(*plaintext), i};
      if (plaintext.error() != Errc::invalid_signature) return plaintext.error();
    }
    return Error(Errc::invalid_signature, "encrypted token was not made with any configured key");
  }

  /// The token under the newest key; unchanged when it already is.
  Result<std::string> reencrypt(std::string_view token) const {
    auto decrypted = decrypt(token);
    if (!decrypted) return decrypted.error();
    if (!decrypted->needs_reencryption()) return std::string(token);
    auto fresh = encrypt(decrypted->plaintext);
    OPENSSL_cleanse(decrypted->plaintext.data(), decrypted->plaintext.size());
    return fresh;
  }

private:
  Keyring() = default;

  static std::string_view trim(std::string_view s) noexcept {
    auto const first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto const last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
  }

  static std::string fingerprint(std::string_view key) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    EVP_Digest(key.data(), key.size(), digest.data(), nullptr, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string id;
    for (std::size_t i = 0; i < 6; ++i) {
      id += hex[digest[i] >> 4];
      id += hex[digest[i] & 15];
    }
    return id;
  }

  std::vector<Fernet> keys_;
  std::vector<std::string> ids_;
};

}  // namespace oauth::crypto

#endif
