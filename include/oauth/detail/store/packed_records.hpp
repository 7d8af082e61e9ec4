#ifndef OAUTH_DETAIL_STORE_PACKED_RECORDS_HPP
#define OAUTH_DETAIL_STORE_PACKED_RECORDS_HPP

#include <oauth/store/records.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauth::detail::store {

// Records packed into one heap block each, for the memory backend: fixed 8-byte slots
// first (times, version, status and presence bits, changed in place), then the strings one
// after another, each after its length as a varint. A credential then costs its own bytes
// and a few more, where an IntegrationRecord spends 848 bytes on its members before the
// heap block of each long string.

/// Appends slots, then strings, and hands over the bytes in a block of their exact size.
class PackWriter {
public:
  explicit PackWriter(std::size_t slots) : out_(slots * 8, '\0') {}

  void slot(std::size_t index, std::int64_t value) { std::memcpy(out_.data() + index * 8, &value, 8); }

  void text(std::string_view value) {
    length(value.size());
    out_.append(value);
  }

  /// Absent and empty differ: the length is stored one higher, 0 for absent.
  void optional_text(std::optional<std::string> const& value) {
    if (!value) return length(0);
    length(value->size() + 1);
    out_.append(*value);
  }

  void texts(std::vector<std::string> const& values) {
    length(values.size());
    for (auto const& value : values) text(value);
  }

  std::unique_ptr<unsigned char[]> finish() const {
    auto block = std::make_unique_for_overwrite<unsigned char[]>(out_.size());
    std::memcpy(block.get(), out_.data(), out_.size());
    return block;
  }

private:
  void length(std::size_t n) {
    for (; n >= 0x80; n >>= 7) out_.push_back(static_cast<char>((n & 0x7f) | 0x80));
    out_.push_back(static_cast<char>(n));
  }

  std::string out_;
};

/// Reads the strings of a block in the order they were written.
class PackReader {
public:
  PackReader(unsigned char const* block, std::size_t slots) noexcept : at_(block + slots * 8) {}

  std::string_view text() noexcept {
    auto const n = length();
    std::string_view const value(reinterpret_cast<char const*>(at_), n);
    at_ += n;
    return value;
  }

  std::optional<std::string> optional_text() {
    auto const n = length();
    if (n == 0) return std::nullopt;
    std::string value(reinterpret_cast<char const*>(at_), n - 1);
    at_ += n - 1;
    return value;
  }

  std::vector<std::string> texts() {
    std::vector<std::string> values;
    values.reserve(length());
    for (auto n = values.capacity(); n != 0; --n) values.emplace_back(text());
    return values;
  }

  void skip() noexcept { at_ += length(); }

  void skip_texts() noexcept {
    for (auto n = length(); n != 0; --n) skip();
  }

private:
  std::size_t length() noexcept {
    std::size_t n = 0;
    for (int shift = 0;; shift += 7) {
      auto const byte = *at_++;
      n |= static_cast<std::size_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return n;
    }
  }

  unsigned char const* at_;
};

inline std::int64_t slot_of(unsigned char const* block, std::size_t index) noexcept {
  std::int64_t value = 0;
  std::memcpy(&value, block + index * 8, 8);
  return value;
}

inline void set_slot(unsigned char* block, std::size_t index, std::int64_t value) noexcept {
  std::memcpy(block + index * 8, &value, 8);
}

inline std::int64_t ticks(TimePoint at) noexcept { return at.time_since_epoch().count(); }
inline TimePoint time_at(std::int64_t ticks) noexcept { return TimePoint(TimePoint::duration(ticks)); }

/// Whether a block whose first strings are its key, then its tenant and user, is `owner`'s.
inline bool key_then_owner(unsigned char const* block, std::size_t slots, Owner owner) noexcept {
  PackReader read(block, slots);
  read.skip();
  return read.text() == owner.tenant_id && read.text() == owner.user_id;
}

/// An IntegrationRecord in one block. The strings go in the order a token read wants
/// them: who owns it, then what get_access_token hands out, then the rest.
class PackedIntegration {
public:
  explicit PackedIntegration(IntegrationRecord const& record) : block_(pack(record)) {}

  std::string_view id() const noexcept { return PackReader(block_.get(), slot_count).text(); }

  bool owned_by(Owner owner) const noexcept { return key_then_owner(block_.get(), slot_count, owner); }

  /// tenant_id, user_id, provider and account_id: what tells one account from another.
  std::array<std::string_view, 4> account() const noexcept {
    PackReader read(block_.get(), slot_count);
    read.skip();
    return {read.text(), read.text(), read.text(), read.text()};
  }

  IntegrationStatus status() const noexcept { return static_cast<IntegrationStatus>(flags() & 0xff); }
  std::uint64_t version() const noexcept { return static_cast<std::uint64_t>(slot(version_slot)); }
  std::optional<TimePoint> last_used_at() const noexcept { return present(last_used_slot); }
  std::optional<TimePoint> last_validated_at() const noexcept { return present(last_validated_slot); }
  TimePoint created_at() const noexcept { return time_at(slot(created_slot)); }

  /// What handing out a token needs, the id and owner taken from the caller's (equal) ones.
  AccessRecord access(Owner owner, std::string_view id) const {
    PackReader read(block_.get(), slot_count);
    read.skip();
    read.skip();
    read.skip();
    auto const provider = read.text();
    read.skip();
    auto const ciphertext = read.text();
    auto const key_id = read.text();
    return {std::string(id),
            std::string(owner.tenant_id),
            std::string(owner.user_id),
            std::string(provider),
            status(),
            version(),
            std::string(ciphertext),
            std::string(key_id),
            present(expires_slot),
            time_at(slot(issued_slot)),
            read.texts(),
            last_used_at()};
  }

  IntegrationRecord unpack() const {
    PackReader read(block_.get(), slot_count);
    IntegrationRecord r;
    r.id = read.text();
    r.tenant_id = read.text();
    r.user_id = read.text();
    r.provider = read.text();
    r.account_id = read.text();
    r.access_token_ciphertext = read.text();
    r.key_id = read.text();
    r.scopes = read.texts();
    r.refresh_token_ciphertext = read.text();
    r.token_type = read.text();
    r.identity.account_id = read.text();
    r.identity.email = read.optional_text();
    r.identity.name = read.optional_text();
    r.identity.picture = read.optional_text();
    auto const bits = flags();
    if ((bits & email_verified_present) != 0) r.identity.email_verified = (bits & email_verified_bit) != 0;
    if ((bits & workspace_present) != 0) {
      auto& w = r.identity.workspace.emplace();
      w.id = read.text();
      w.name = read.optional_text();
      w.icon = read.optional_text();
      w.bot_id = read.optional_text();
      w.owner_json = read.optional_text();
      w.duplicated_template_id = read.optional_text();
      w.request_id = read.optional_text();
      w.owned_by_workspace = (bits & owned_by_workspace_bit) != 0;
    }
    r.status = status();
    r.expires_at = present(expires_slot);
    r.token_issued_at = time_at(slot(issued_slot));
    r.version = version();
    r.created_at = created_at();
    r.updated_at = time_at(slot(updated_slot));
    r.last_used_at = last_used_at();
    r.last_validated_at = last_validated_at();
    return r;
  }

  void set_used(UseKind use, TimePoint at) noexcept {
    auto const index = use == UseKind::used ? last_used_slot : last_validated_slot;
    set_slot(block_.get(), index, ticks(at));
    set_flags(flags() | present_bit(index));
  }

  void set_status(IntegrationStatus status, TimePoint at) noexcept {
    set_flags((flags() & ~std::int64_t{0xff}) | static_cast<std::int64_t>(status));
    set_slot(block_.get(), updated_slot, ticks(at));
    set_slot(block_.get(), version_slot, slot(version_slot) + 1);
  }

private:
  enum : std::size_t {
    expires_slot,
    issued_slot,
    created_slot,
    updated_slot,
    last_used_slot,
    last_validated_slot,
    version_slot,
    flags_slot,  ///< the status in the low byte, then the bits below
    slot_count
  };
  static constexpr std::int64_t email_verified_present = 1 << 8;
  static constexpr std::int64_t email_verified_bit = 1 << 9;
  static constexpr std::int64_t workspace_present = 1 << 10;
  static constexpr std::int64_t owned_by_workspace_bit = 1 << 11;
  /// Whether an optional time slot holds a time: bits 12 and up, by slot.
  static constexpr std::int64_t present_bit(std::size_t index) noexcept { return std::int64_t{1} << (12 + index); }

  std::int64_t slot(std::size_t index) const noexcept { return slot_of(block_.get(), index); }
  std::int64_t flags() const noexcept { return slot(flags_slot); }
  void set_flags(std::int64_t bits) noexcept { set_slot(block_.get(), flags_slot, bits); }

  std::optional<TimePoint> present(std::size_t index) const noexcept {
    if ((flags() & present_bit(index)) == 0) return std::nullopt;
    return time_at(slot(index));
  }

  static std::unique_ptr<unsigned char[]> pack(IntegrationRecord const& r) {
    PackWriter write(slot_count);
    std::int64_t bits = static_cast<std::int64_t>(r.status);
    auto const optional_time = [&](std::size_t index, std::optional<TimePoint> const& at) {
      if (!at) return;
      write.slot(index, ticks(*at));
      bits |= present_bit(index);
    };
    optional_time(expires_slot, r.expires_at);
    optional_time(last_used_slot, r.last_used_at);
    optional_time(last_validated_slot, r.last_validated_at);
    write.slot(issued_slot, ticks(r.token_issued_at));
    write.slot(created_slot, ticks(r.created_at));
    write.slot(updated_slot, ticks(r.updated_at));
    write.slot(version_slot, static_cast<std::int64_t>(r.version));
    write.text(r.id);
    write.text(r.tenant_id);
    write.text(r.user_id);
    write.text(r.provider);
    write.text(r.account_id);
    write.text(r.access_token_ciphertext);
    write.text(r.key_id);
    write.texts(r.scopes);
    write.text(r.refresh_token_ciphertext);
    write.text(r.token_type);
    write.text(r.identity.account_id);
    write.optional_text(r.identity.email);
    write.optional_text(r.identity.name);
    write.optional_text(r.identity.picture);
    if (r.identity.email_verified)
      bits |= email_verified_present | (*r.identity.email_verified ? email_verified_bit : 0);
    if (auto const& w = r.identity.workspace) {
      bits |= workspace_present | (w->owned_by_workspace ? owned_by_workspace_bit : 0);
      write.text(w->id);
      write.optional_text(w->name);
      write.optional_text(w->icon);
      write.optional_text(w->bot_id);
      write.optional_text(w->owner_json);
      write.optional_text(w->duplicated_template_id);
      write.optional_text(w->request_id);
    }
    write.slot(flags_slot, bits);
    return write.finish();
  }

  std::unique_ptr<unsigned char[]> block_;
};

/// A ConsentRecord in one block.
class PackedConsent {
public:
  explicit PackedConsent(ConsentRecord const& consent) : block_(pack(consent)) {}

  std::string_view integration_id() const noexcept { return PackReader(block_.get(), slot_count).text(); }

  bool owned_by(Owner owner) const noexcept { return key_then_owner(block_.get(), slot_count, owner); }

  ConsentRecord unpack() const {
    PackReader read(block_.get(), slot_count);
    ConsentRecord c;
    c.integration_id = read.text();
    c.tenant_id = read.text();
    c.user_id = read.text();
    c.provider = read.text();
    c.scopes = read.texts();
    c.client_ip = read.text();
    c.user_agent = read.text();
    c.consent_version = read.text();
    c.granted_at = time_at(slot_of(block_.get(), granted_slot));
    if (slot_of(block_.get(), flags_slot) != 0) c.expires_at = time_at(slot_of(block_.get(), expires_slot));
    return c;
  }

private:
  enum : std::size_t { granted_slot, expires_slot, flags_slot, slot_count };

  static std::unique_ptr<unsigned char[]> pack(ConsentRecord const& c) {
    PackWriter write(slot_count);
    write.slot(granted_slot, ticks(c.granted_at));
    if (c.expires_at) {
      write.slot(expires_slot, ticks(*c.expires_at));
      write.slot(flags_slot, 1);
    }
    write.text(c.integration_id);
    write.text(c.tenant_id);
    write.text(c.user_id);
    write.text(c.provider);
    write.texts(c.scopes);
    write.text(c.client_ip);
    write.text(c.user_agent);
    write.text(c.consent_version);
    return write.finish();
  }

  std::unique_ptr<unsigned char[]> block_;
};

}  // namespace oauth::detail::store

#endif
