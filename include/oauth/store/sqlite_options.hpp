#ifndef OAUTH_STORE_SQLITE_OPTIONS_HPP
#define OAUTH_STORE_SQLITE_OPTIONS_HPP

#include <chrono>
#include <cstddef>
#include <string>

namespace oauth::store {

/// What a commit survives.
enum class SqliteDurability {
  full,    ///< a power cut: every commit reaches the disk (synchronous = FULL)
  normal,  ///< a crash of the process, not of the machine (synchronous = NORMAL): for bulk loads
};

struct SqliteOptions {
  std::string path;  ///< the database file, made when missing
  SqliteDurability durability = SqliteDurability::full;
  std::size_t max_connections = 4;
  /// How long a writer waits for another process's write to finish before giving up
  /// with store_unavailable.
  std::chrono::milliseconds busy_timeout{5000};
  /// Reads through a memory map of up to this much of the file instead of a read() per
  /// page, and a page cache of this size per connection: lookups in a large store stay
  /// off the system-call path.
  std::size_t mmap_bytes = std::size_t{1} << 30;
  std::size_t cache_bytes = std::size_t{16} << 20;
  /// The WAL is copied back into the database by a thread of its own once it holds this
  /// many pages (SQLite's own checkpoint would run in the commit that crossed it)...
  std::size_t wal_checkpoint_pages = 1000;
  /// ... and by the commit that finds it this long, when writes that never pause keep it
  /// from starting again at its beginning.
  std::size_t wal_limit_pages = 10'000;
};

}  // namespace oauth::store

#endif
