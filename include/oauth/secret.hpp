#ifndef OAUTH_SECRET_HPP
#define OAUTH_SECRET_HPP

#include <oauth/crypto/constant_time.hpp>

#include <openssl/crypto.h>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace oauth {

/// A string that must never reach a log: it prints as [redacted], compares in constant
/// time and wipes its memory when destroyed. Each Tag makes a distinct type, so an access
/// token cannot be passed where a client secret is expected.
template <class Tag>
class Secret {
public:
  Secret() = default;
  explicit Secret(std::string value) noexcept : value_(std::move(value)) {}
  explicit Secret(std::string_view value) : value_(value) {}
  explicit Secret(char const* value) : value_(value) {}

  Secret(Secret const&) = default;
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(Secret const& other) {
    if (this != &other) {
      wipe();
      value_ = other.value_;
    }
    return *this;
  }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      wipe();
      value_ = std::move(other.value_);
      other.wipe();
    }
    return *this;
  }
  ~Secret() { wipe(); }

  /// The secret itself, for the one place that must send or encrypt it.
  std::string_view reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }
  std::size_t size() const noexcept { return value_.size(); }

  friend bool operator==(Secret const& a, Secret const& b) noexcept {
    return crypto::constant_time_equal(a.value_, b.value_);
  }

  friend std::ostream& operator<<(std::ostream& os, Secret const&) { return os << "[redacted]"; }

private:
  // The whole buffer, not just size(): a moved-from short string keeps its characters in
  // its inline buffer with size() already 0. Growing to capacity() never reallocates.
  void wipe() noexcept {
    value_.resize(value_.capacity());
    OPENSSL_cleanse(value_.data(), value_.size());
    value_.clear();
  }

  std::string value_;
};

using AccessToken = Secret<struct AccessTokenTag>;
using RefreshToken = Secret<struct RefreshTokenTag>;
using ClientSecret = Secret<struct ClientSecretTag>;
using AuthorizationCode = Secret<struct AuthorizationCodeTag>;
using CodeVerifier = Secret<struct CodeVerifierTag>;
using EncryptionKey = Secret<struct EncryptionKeyTag>;

}  // namespace oauth

#endif
