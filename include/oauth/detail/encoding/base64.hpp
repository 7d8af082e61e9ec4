#ifndef OAUTH_DETAIL_ENCODING_BASE64_HPP
#define OAUTH_DETAIL_ENCODING_BASE64_HPP

#include <openssl/crypto.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace oauth::detail::encoding {

enum class Alphabet { standard, url_safe };
enum class Padding { with, without };

namespace base64_tables {

inline constexpr std::string_view standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr std::string_view url_safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

inline constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> reverse(std::string_view alphabet) {
  std::array<std::uint8_t, 256> table{};
  table.fill(invalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  return table;
}

inline constexpr auto standard_reverse = reverse(standard);
inline constexpr auto url_safe_reverse = reverse(url_safe);

}  // namespace base64_tables

constexpr std::size_t base64_encoded_size(std::size_t n, Padding padding) noexcept {
  return padding == Padding::with ? (n + 2) / 3 * 4 : (n * 4 + 2) / 3;
}

/// Appends the base64 encoding of `in` to `out`.
inline void base64_encode_append(std::span<unsigned char const> in, std::string& out, Alphabet alphabet,
                                 Padding padding) {
  auto const chars = alphabet == Alphabet::url_safe ? base64_tables::url_safe : base64_tables::standard;
  auto const start = out.size();
  out.resize(start + base64_encoded_size(in.size(), padding));
  char* p = out.data() + start;
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t const v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    *p++ = chars[(v >> 18) & 63];
    *p++ = chars[(v >> 12) & 63];
    *p++ = chars[(v >> 6) & 63];
    *p++ = chars[v & 63];
  }
  if (auto const rest = in.size() - i; rest != 0) {
    std::uint32_t v = std::uint32_t{in[i]} << 16;
    if (rest == 2) v |= std::uint32_t{in[i + 1]} << 8;
    *p++ = chars[(v >> 18) & 63];
    *p++ = chars[(v >> 12) & 63];
    if (rest == 2) *p++ = chars[(v >> 6) & 63];
    if (padding == Padding::with) {
      if (rest == 1) *p++ = '=';
      *p++ = '=';
    }
  }
}

inline std::string base64_encode(std::span<unsigned char const> in, Alphabet alphabet, Padding padding) {
  std::string out;
  base64_encode_append(in, out, alphabet, padding);
  return out;
}

inline std::string base64_encode(std::string_view in, Alphabet alphabet, Padding padding) {
  return base64_encode({reinterpret_cast<unsigned char const*>(in.data()), in.size()}, alphabet, padding);
}

/// The number of bytes `in` decodes to, with its padding taken off `in`; nothing when no
/// base64 text has its length. Padding is optional but, when present, exactly what the
/// length calls for.
inline std::optional<std::size_t> base64_decoded_size(std::string_view& in) noexcept {
  if (in.size() % 4 == 0 && !in.empty()) {
    auto pad = std::size_t{0};
    while (pad < 2 && in[in.size() - 1 - pad] == '=') ++pad;
    in.remove_suffix(pad);
  }
  auto const rest = in.size() % 4;
  if (rest == 1) return std::nullopt;
  return in.size() / 4 * 3 + (rest == 0 ? 0 : rest - 1);
}

/// Decodes `unpadded` (as base64_decoded_size left it) into `out`, which holds at least
/// that many bytes. Only the alphabet's characters, no white space: false on any other,
/// with `out` partly written.
inline bool base64_decode_into(std::string_view unpadded, Alphabet alphabet, unsigned char* out) noexcept {
  auto const& table =
      alphabet == Alphabet::url_safe ? base64_tables::url_safe_reverse : base64_tables::standard_reverse;
  auto const sextet = [&](std::size_t i) -> std::uint32_t { return table[static_cast<unsigned char>(unpadded[i])]; };
  auto const rest = unpadded.size() % 4;
  auto* o = out;
  std::uint32_t invalid = 0;
  std::size_t i = 0;
  for (; i + 4 <= unpadded.size(); i += 4) {
    auto const a = sextet(i), b = sextet(i + 1), c = sextet(i + 2), d = sextet(i + 3);
    invalid |= a | b | c | d;
    auto const v = (a << 18) | (b << 12) | (c << 6) | d;
    *o++ = static_cast<unsigned char>(v >> 16);
    *o++ = static_cast<unsigned char>(v >> 8);
    *o++ = static_cast<unsigned char>(v);
  }
  // The bits a short final group leaves over must be zero, or two encodings would decode
  // to the same bytes.
  if (rest == 2) {
    auto const a = sextet(i), b = sextet(i + 1);
    invalid |= a | b | ((b & 0x0f) != 0 ? base64_tables::invalid : 0u);
    *o = static_cast<unsigned char>((a << 2) | (b >> 4));
  } else if (rest == 3) {
    auto const a = sextet(i), b = sextet(i + 1), c = sextet(i + 2);
    invalid |= a | b | c | ((c & 0x03) != 0 ? base64_tables::invalid : 0u);
    auto const v = (a << 10) | (b << 4) | (c >> 2);
    o[0] = static_cast<unsigned char>(v >> 8);
    o[1] = static_cast<unsigned char>(v);
  }
  // Every valid sextet is below 64; the invalid marker has bit 7 set.
  return (invalid & 0x80) == 0;
}

/// Strict decoding, as base64_decoded_size and base64_decode_into define it. Returns
/// nothing on any violation.
inline std::optional<std::string> base64_decode(std::string_view in, Alphabet alphabet) {
  auto const size = base64_decoded_size(in);
  if (!size) return std::nullopt;
  std::string out(*size, '\0');
  if (!base64_decode_into(in, alphabet, reinterpret_cast<unsigned char*>(out.data()))) {
    OPENSSL_cleanse(out.data(), out.size());
    return std::nullopt;
  }
  return out;
}

}  // namespace oauth::detail::encoding

#endif
