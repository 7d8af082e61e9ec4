#ifndef OAUTH_ERROR_HPP
#define OAUTH_ERROR_HPP

#include <boost/assert/source_location.hpp>
#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace oauth {

/// Every failure the library reports as a value. Descriptions that travel with a code
/// name fields and providers, never a token, code, secret or key.
enum class Errc {
  invalid_argument = 1,

  // scopes and authorization requests
  unknown_scope,
  pkce_required,
  pkce_unsupported,

  // provider data
  invalid_user_info,

  // encryption (Fernet and the keyring)
  malformed_token,
  unsupported_token_version,
  invalid_signature,
  decryption_failed,
  token_expired,
  token_from_future,
  invalid_key,
  missing_key,
  crypto_failure,
};

namespace detail {

class ErrorCategory final : public boost::system::error_category {
public:
  // A fixed id keeps codes comparable across shared objects that each hold a copy.
  constexpr ErrorCategory() noexcept : boost::system::error_category(0x6f61757468ULL) {}

  char const* name() const noexcept override { return "oauth"; }

  std::string message(int ev) const override { return describe(static_cast<Errc>(ev)); }

  char const* message(int ev, char*, std::size_t) const noexcept override {
    return describe(static_cast<Errc>(ev));
  }

private:
  static char const* describe(Errc e) noexcept {
    switch (e) {
      case Errc::invalid_argument: return "invalid argument";
      case Errc::unknown_scope: return "unknown scope";
      case Errc::pkce_required: return "PKCE code challenge required";
      case Errc::pkce_unsupported: return "provider does not support PKCE";
      case Errc::invalid_user_info: return "invalid user info";
      case Errc::malformed_token: return "malformed encrypted token";
      case Errc::unsupported_token_version: return "unsupported encrypted token version";
      case Errc::invalid_signature: return "encrypted token signature does not verify";
      case Errc::decryption_failed: return "encrypted token does not decrypt";
      case Errc::token_expired: return "encrypted token has expired";
      case Errc::token_from_future: return "encrypted token timestamp is in the future";
      case Errc::invalid_key: return "invalid encryption key";
      case Errc::missing_key: return "no encryption key configured";
      case Errc::crypto_failure: return "cryptographic library failure";
    }
    return "unknown oauth error";
  }
};

}  // namespace detail

inline boost::system::error_category const& error_category() noexcept {
  static constexpr detail::ErrorCategory category;
  return category;
}

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// A failure: its code, and what went wrong in words fit for a log or an operator.
struct Error {
  boost::system::error_code code;
  std::string description;

  Error() = default;
  Error(boost::system::error_code c, std::string d = {}) : code(c), description(std::move(d)) {}
  Error(Errc e, std::string d = {}) : code(make_error_code(e)), description(std::move(d)) {}

  std::string message() const {
    auto text = code.message();
    if (!description.empty()) text += ": " + description;
    return text;
  }

  friend bool operator==(Error const& e, Errc c) noexcept { return e.code == make_error_code(c); }
};

/// Found by boost::system::result<T, Error>::value() when it holds an error.
[[noreturn]] inline void throw_exception_from_error(Error const& e, boost::source_location const& loc) {
  boost::throw_exception(boost::system::system_error(e.code, e.description), loc);
}

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace oauth

template <>
struct boost::system::is_error_code_enum<oauth::Errc> : std::true_type {};

#endif
