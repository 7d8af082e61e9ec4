#ifndef OAUTH_SERVICE_BEARER_TOKEN_HPP
#define OAUTH_SERVICE_BEARER_TOKEN_HPP

// HS256 JSON Web Tokens (RFC 7519), the callers' credentials: verified with OpenSSL, the
// algorithm pinned, expiry required. Signing is here for the tools that mint development
// tokens and for the tests.

#include <oauth/crypto/constant_time.hpp>
#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/json/unique_members.hpp>

#include <boost/json.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace oauth::service {

/// Who is calling: a user of a tenant.
struct Caller {
  std::string user_id;
  std::string tenant_id;
};

/// What a verifier insists on beyond the signature.
struct BearerRules {
  std::string tenant_claim = "tenant_id";
  std::string issuer = {};    ///< required `iss` when set
  std::string audience = {};  ///< required in `aud` (a string or an array) when set
  std::chrono::seconds leeway{30};
  /// The longest a token may still be valid for: one that claims to hold for years was not
  /// made by a token service that means it.
  std::chrono::seconds max_lifetime{24 * 3600};
};

namespace detail {

inline std::string base64url(std::string_view bytes) {
  return oauth::detail::encoding::base64_encode(bytes, oauth::detail::encoding::Alphabet::url_safe,
                                                oauth::detail::encoding::Padding::without);
}

inline std::optional<std::string> hs256(std::string_view secret, std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                reinterpret_cast<unsigned char const*>(input.data()), input.size(), mac, sizeof mac,
                &length) == nullptr)
    return std::nullopt;
  return std::string(reinterpret_cast<char const*>(mac), length);
}

/// A part of a compact JWS: base64url without padding (RFC 7515 section 2), nothing else.
inline std::optional<std::string> decode_part(std::string_view encoded) {
  if (encoded.find('=') != std::string_view::npos) return std::nullopt;
  return oauth::detail::encoding::base64_decode(encoded, oauth::detail::encoding::Alphabet::url_safe);
}

/// A JSON object that names each member once: claims that say two things are neither.
inline std::optional<boost::json::object> json_part(std::string_view encoded) {
  auto decoded = decode_part(encoded);
  if (!decoded) return std::nullopt;
  boost::system::error_code ec;
  auto value = boost::json::parse(*decoded, ec);
  if (ec || !value.is_object() || oauth::detail::json::has_duplicate_member(*decoded, value)) return std::nullopt;
  return std::move(value.as_object());
}

/// A NumericDate claim: absent, a number of seconds, or (anything else) not a date.
struct SecondsClaim {
  bool present = false;
  std::optional<std::int64_t> seconds;
};

inline SecondsClaim seconds_claim(boost::json::object const& claims, std::string_view name) {
  auto const* value = claims.if_contains(name);
  if (value == nullptr) return {};
  return {true, [&]() -> std::optional<std::int64_t> {
            if (value->is_int64()) return value->as_int64();
            if (value->is_uint64() && value->as_uint64() <= INT64_MAX)
              return static_cast<std::int64_t>(value->as_uint64());
            // A NumericDate may have a fraction; one outside any date is no date (and no cast).
            if (value->is_double() && std::abs(value->as_double()) < 1e15)
              return static_cast<std::int64_t>(value->as_double());
            return std::nullopt;
          }()};
}

inline std::string string_claim(boost::json::object const& claims, std::string_view name) {
  auto const* value = claims.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace detail

/// Why a bearer token was refused: said to the caller in general terms, logged as is.
/// Never contains the token.
struct BearerRefusal {
  std::string reason;
};

/// The caller a token names, when its signature is right under `secret`, its algorithm
/// is HS256 and it holds now. Anything else is a refusal with the reason.
inline std::variant<Caller, BearerRefusal> verify_bearer(std::string_view token, std::string_view secret,
                                                         BearerRules const& rules,
                                                         std::chrono::system_clock::time_point now) {
  auto const first = token.find('.');
  auto const second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return BearerRefusal{"not a JSON Web Token"};
  auto header = detail::json_part(token.substr(0, first));
  if (!header) return BearerRefusal{"malformed token header"};
  if (detail::string_claim(*header, "alg") != "HS256") return BearerRefusal{"algorithm other than HS256"};
  // Extensions a verifier must understand (RFC 7515 section 4.1.11): this one knows none.
  if (header->contains("crit")) return BearerRefusal{"critical header extensions"};

  auto const signed_part = token.substr(0, second);
  auto signature = detail::decode_part(token.substr(second + 1));
  auto expected = detail::hs256(secret, signed_part);
  if (!signature || !expected || !crypto::constant_time_equal(*signature, *expected))
    return BearerRefusal{"bad signature"};

  auto claims = detail::json_part(token.substr(first + 1, second - first - 1));
  if (!claims) return BearerRefusal{"malformed claims"};
  auto const now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto const leeway = rules.leeway.count();
  auto const exp = detail::seconds_claim(*claims, "exp");
  auto const nbf = detail::seconds_claim(*claims, "nbf");
  auto const iat = detail::seconds_claim(*claims, "iat");
  if (!exp.seconds) return BearerRefusal{exp.present ? "expiry is not a date" : "no expiry"};
  if ((nbf.present && !nbf.seconds) || (iat.present && !iat.seconds))
    return BearerRefusal{"a time claim is not a date"};
  if (*exp.seconds <= now_s - leeway) return BearerRefusal{"expired"};
  // Claims are compared, never computed with: an INT64_MAX expiry overflows nothing.
  if (*exp.seconds > now_s + rules.max_lifetime.count() + leeway) return BearerRefusal{"expiry too far ahead"};
  if (nbf.seconds && *nbf.seconds > now_s + leeway) return BearerRefusal{"not valid yet"};
  if (iat.seconds && *iat.seconds > now_s + leeway) return BearerRefusal{"issued in the future"};
  if (!rules.issuer.empty() && detail::string_claim(*claims, "iss") != rules.issuer)
    return BearerRefusal{"wrong issuer"};
  if (!rules.audience.empty()) {
    bool found = false;
    if (auto const* aud = claims->if_contains("aud")) {
      if (aud->is_string())
        found = aud->as_string() == rules.audience;
      else if (aud->is_array())
        for (auto const& entry : aud->as_array())
          found = found || (entry.is_string() && entry.as_string() == rules.audience);
    }
    if (!found) return BearerRefusal{"wrong audience"};
  }
  Caller caller{detail::string_claim(*claims, "sub"), detail::string_claim(*claims, rules.tenant_claim)};
  if (caller.user_id.empty()) return BearerRefusal{"no subject"};
  if (caller.tenant_id.empty()) return BearerRefusal{"no " + rules.tenant_claim + " claim"};
  return caller;
}

/// An HS256 token for `claims` under `secret`.
inline std::string sign_bearer(boost::json::object const& claims, std::string_view secret) {
  auto const input =
      detail::base64url(R"({"alg":"HS256","typ":"JWT"})") + '.' + detail::base64url(boost::json::serialize(claims));
  return input + '.' + detail::base64url(detail::hs256(secret, input).value_or(""));
}

/// A token for one user of one tenant, valid for `lifetime`.
inline std::string sign_bearer_for(std::string_view tenant_id, std::string_view user_id, std::string_view secret,
                                   std::chrono::seconds lifetime, BearerRules const& rules = {}) {
  auto const now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  boost::json::object claims{{"sub", user_id}, {"iat", now}, {"exp", now + lifetime.count()}};
  claims[rules.tenant_claim] = tenant_id;
  if (!rules.issuer.empty()) claims["iss"] = rules.issuer;
  if (!rules.audience.empty()) claims["aud"] = rules.audience;
  return sign_bearer(claims, secret);
}

}  // namespace oauth::service

#endif
