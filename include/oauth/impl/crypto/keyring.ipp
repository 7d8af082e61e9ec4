#ifndef OAUTH_IMPL_CRYPTO_KEYRING_IPP
#define OAUTH_IMPL_CRYPTO_KEYRING_IPP

#include <oauth/crypto/constant_time.hpp>
#include <oauth/crypto/keyring.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstdlib>
#include <iostream>

namespace oauth::crypto {

OAUTH_DECL Result<Keyring> Keyring::from_list(std::string_view list) {
  Keyring ring;
  std::size_t position = 0;
  while (true) {
    auto const comma = list.find(',');
    auto entry = trim(list.substr(0, comma));
    ++position;
    if (entry.empty())
      return Error(Errc::invalid_key, "encryption key list has an empty entry at position " + std::to_string(position));
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

OAUTH_DECL Result<std::optional<std::string>> Keyring::configured_keys() {
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

OAUTH_DECL Result<Keyring> Keyring::from_environment(KeyPolicy policy, WarningSink const& warn) {
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

OAUTH_DECL Keyring::WarningSink Keyring::default_warning_sink() {
  return [](std::string_view message) { std::clog << "\n*** " << message << " ***\n\n"; };
}

OAUTH_DECL Result<Decrypted> Keyring::decrypt(std::string_view token) const {
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    auto plaintext = keys_[i].decrypt(token);
    if (plaintext) return Decrypted{std::move(*plaintext), i};
    if (plaintext.error() != Errc::invalid_signature) return plaintext.error();
  }
  return Error(Errc::invalid_signature, "encrypted token was not made with any configured key");
}

OAUTH_DECL Result<std::string> Keyring::reencrypt(std::string_view token) const {
  auto decrypted = decrypt(token);
  if (!decrypted) return decrypted.error();
  if (!decrypted->needs_reencryption()) return std::string(token);
  auto fresh = encrypt(decrypted->plaintext);
  OPENSSL_cleanse(decrypted->plaintext.data(), decrypted->plaintext.size());
  return fresh;
}

OAUTH_DECL std::string Keyring::fingerprint(std::string_view key) {
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

}  // namespace oauth::crypto

#endif
