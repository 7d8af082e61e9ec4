#ifndef OAUTH_CRYPTO_KEYRING_HPP
#define OAUTH_CRYPTO_KEYRING_HPP

#include <oauth/crypto/fernet.hpp>
#include <oauth/detail/config.hpp>
#include <oauth/error.hpp>
#include <oauth/secret.hpp>

#include <functional>
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
  OAUTH_DECL static Result<Keyring> from_list(std::string_view list);

  /// The key list the environment gives: OAUTH_ENCRYPTION_KEY, or its alias
  /// CREDENTIAL_ENCRYPTION_KEY; nothing when neither is set. Both set to different lists
  /// is refused with invalid_key: which one is meant cannot be told.
  OAUTH_DECL static Result<std::optional<std::string>> configured_keys();

  /// Keys from OAUTH_ENCRYPTION_KEY (or CREDENTIAL_ENCRYPTION_KEY). Without either, fails
  /// with missing_key unless the policy allows an ephemeral development key, in which
  /// case `warn` is told loudly.
  OAUTH_DECL static Result<Keyring> from_environment(KeyPolicy policy = KeyPolicy::require,
                                                     WarningSink const& warn = default_warning_sink());

  OAUTH_DECL static WarningSink default_warning_sink();

  std::size_t size() const noexcept { return keys_.size(); }

  /// A short name for key `index` (0 is the newest): 12 hex digits of its SHA-256, stored
  /// beside each token so that a rotation can tell which tokens still need it.
  std::string const& key_id(std::size_t index = 0) const { return ids_.at(index); }

  Result<std::string> encrypt(std::string_view plaintext) const { return keys_.front().encrypt(plaintext); }

  /// Tries each key, newest first. A token no key verifies fails with invalid_signature;
  /// any other failure (malformed, bad padding) is reported from the key that verified it.
  OAUTH_DECL Result<Decrypted> decrypt(std::string_view token) const;

  /// The token under the newest key; unchanged when it already is.
  OAUTH_DECL Result<std::string> reencrypt(std::string_view token) const;

private:
  Keyring() = default;

  static std::string_view trim(std::string_view s) noexcept {
    auto const first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto const last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
  }

  OAUTH_DECL static std::string fingerprint(std::string_view key);

  std::vector<Fernet> keys_;
  std::vector<std::string> ids_;
};

}  // namespace oauth::crypto

#if defined(OAUTH_HEADER_ONLY)
#include <oauth/impl/crypto/keyring.ipp>
#endif

#endif
