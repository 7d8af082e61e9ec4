// Fernet tokens, as a store hands them back. The first line says how to read the rest:
//   token                        decrypt under the specification's key, no TTL
//   ttl <seconds> <unix time>    decrypt with that TTL at that time
//   keyring                      decrypt over two keys, newest first
//   signed <seconds> <unix time> the rest is a token's body without its MAC, in URL-safe
//                                base64: the target signs it, so that what lies past the
//                                MAC (timestamp, IV, padding) is reached
#include "fuzz_input.hpp"

#include <oauth/crypto/fernet.hpp>
#include <oauth/crypto/keyring.hpp>
#include <oauth/detail/encoding/base64.hpp>

#include <openssl/evp.h>

namespace {

using oauth::fuzz::require;
namespace enc = oauth::detail::encoding;

// The key of the specification's vectors (tests/vectors/fernet), and another.
constexpr std::string_view vector_key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr std::string_view other_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

oauth::crypto::Fernet const& fernet() {
  static auto const f = oauth::crypto::Fernet::from_key(vector_key).value();
  return f;
}

std::chrono::seconds ttl_of(std::string_view line) {
  return std::chrono::seconds(oauth::fuzz::number_after(line, 1, 60) % (10LL * 366 * 24 * 3600));
}

std::chrono::sys_seconds now_of(std::string_view line) {
  // Any time from 1970 to the year 9999.
  return std::chrono::sys_seconds(
      std::chrono::seconds(oauth::fuzz::number_after(line, 2, 499'162'801) % 253'402'300'800));
}

void check_failure(oauth::Error const& error) {
  require(oauth::fuzz::printable(error.message()), "a Fernet error is one printable line");
}

void signed_body(std::string_view line, std::string_view encoded_body) {
  auto body = enc::base64_decode(encoded_body, enc::Alphabet::url_safe);
  if (!body) return;
  auto const key = enc::base64_decode(vector_key, enc::Alphabet::url_safe).value();
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), 16,
                reinterpret_cast<unsigned char const*>(body->data()), body->size(), mac, sizeof mac,
                &length) == nullptr)
    return;
  auto const token = enc::base64_encode(*body + std::string(reinterpret_cast<char const*>(mac), length),
                                        enc::Alphabet::url_safe, enc::Padding::with);
  auto const plain = fernet().decrypt_at_time(token, ttl_of(line), now_of(line));
  if (!plain) return check_failure(plain.error());
  // What decrypts is what encrypting it again at the same time with the same IV makes.
  require(body->size() >= 25, "a decrypted token has its header");
  auto const at = fernet().extract_timestamp(token);
  require(at.has_value(), "a decrypted token has a timestamp");
  oauth::crypto::Fernet::Iv iv{};
  std::copy(body->begin() + 9, body->begin() + 25, iv.begin());
  require(fernet().encrypt_from_parts(*plain, *at, iv).value() == token, "decrypting is the inverse of encrypting");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const input = oauth::fuzz::named(oauth::fuzz::as_text(data, size));
  if (!input) return 0;
  auto const [line, token] = *input;
  auto const mode = line.substr(0, line.find(' '));
  if (mode == "token") {
    auto plain = fernet().decrypt(token);
    if (!plain) check_failure(plain.error());
  } else if (mode == "ttl") {
    auto plain = fernet().decrypt_at_time(token, ttl_of(line), now_of(line));
    if (!plain) check_failure(plain.error());
  } else if (mode == "keyring") {
    static auto const ring =
        oauth::crypto::Keyring::from_list(std::string(other_key) + "," + std::string(vector_key)).value();
    static auto const newest_key = oauth::crypto::Fernet::from_key(other_key).value();
    auto opened = ring.decrypt(token);
    if (!opened) return check_failure(opened.error()), 0;
    require(opened->key_index == (newest_key.decrypt(token) ? 0u : 1u), "the keyring names the key that opened it");
  } else if (mode == "signed") {
    signed_body(line, token);
  }
  return 0;
}
