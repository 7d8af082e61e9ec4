#ifndef OAUTH_STORE_KEY_ROTATION_HPP
#define OAUTH_STORE_KEY_ROTATION_HPP

#include <oauth/error.hpp>
#include <oauth/store/records.hpp>
#include <oauth/store/token_store.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth {

/// How far a key rotation has come.
struct RotationProgress {
  std::string key_id = {};          ///< the key everything is being moved to
  std::size_t examined = 0;         ///< integrations looked at by this run
  std::size_t reencrypted = 0;      ///< moved to the newest key by this run
  std::size_t already_current = 0;  ///< found under the newest key (or without tokens)
  /// Integrations whose tokens no configured key opens; they stay as they are.
  std::vector<std::pair<std::string, Error>> failures = {};
  bool complete = false;  ///< every integration has been examined
};

/// Moves every stored token to the keyring's newest key: put the new key first in
/// OAUTH_ENCRYPTION_KEY (keeping the old ones after it), run this, then drop the old keys
/// once it reports complete. The service keeps serving meanwhile: tokens under an old
/// key still decrypt, and a token refreshed or read meanwhile is written under the newest
/// key anyway. Resumable: the position is kept in the store after every batch, so a
/// stopped job picks up where it was. Authorization states in progress are not moved;
/// they expire within the manager's state lifetime, so keep an old key that long.
template <StoreBackend Backend>
class KeyRotation {
public:
  static constexpr std::string_view setting_name = "key_rotation";

  explicit KeyRotation(TokenStore<Backend>& store, std::size_t batch_size = 200)
      : store_(store), batch_size_(batch_size == 0 ? 1 : batch_size) {}

  /// One batch. Call until `complete`, or use run().
  Result<RotationProgress> step() {
    if (!loaded_) {
      if (auto loaded = load(); !loaded) return loaded.error();
    }
    if (progress_.complete) return progress_;
    auto page = store_.backend().scan_integrations(cursor_, batch_size_);
    if (!page) return page.error();
    for (auto const& record : *page) {
      ++progress_.examined;
      if (auto moved = move(record); !moved) progress_.failures.emplace_back(record.id, moved.error());
    }
    if (page->size() < batch_size_)
      progress_.complete = true;
    else
      cursor_ = page->back().id;
    auto const saved = save();
    if (!saved) return saved.error();
    return progress_;
  }

  /// Every batch, to the end.
  Result<RotationProgress> run() {
    while (true) {
      auto progress = step();
      if (!progress || progress->complete) return progress;
    }
  }

private:
  Result<void> load() {
    progress_.key_id = store_.keyring().key_id();
    auto saved = store_.backend().setting(setting_name);
    if (!saved) return saved.error();
    // "<key id> <last integration done>", or "<key id> complete".
    if (*saved && (*saved)->starts_with(progress_.key_id + ' ')) {
      auto const rest = (*saved)->substr(progress_.key_id.size() + 1);
      if (rest == "complete")
        progress_.complete = true;
      else
        cursor_ = rest;
    }
    loaded_ = true;
    return {};
  }

  Result<void> save() {
    auto const position = progress_.complete ? std::string("complete") : cursor_;
    return store_.backend().put_setting(setting_name, progress_.key_id + ' ' + position);
  }

  Result<void> move(IntegrationRecord record) {
    // A write in between (a refresh, a read that moved the token) wins; look again.
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (!record.has_tokens() || record.key_id == progress_.key_id) {
        ++progress_.already_current;
        return {};
      }
      auto resealed = store_.reseal(record);
      if (resealed) {
        ++progress_.reencrypted;
        return {};
      }
      if (resealed.error() != Errc::store_conflict) return resealed.error();
      auto latest = store_.backend().find_integration(record.owner(), record.id);
      if (!latest && latest.error() == Errc::integration_not_found) return {};  // erased meanwhile
      if (!latest) return latest.error();
      record = std::move(*latest);
    }
    return Error(Errc::store_conflict, "integration " + record.id + " kept changing during key rotation");
  }

  TokenStore<Backend>& store_;
  std::size_t batch_size_;
  bool loaded_ = false;
  std::string cursor_;
  RotationProgress progress_;
};

}  // namespace oauth

#endif
