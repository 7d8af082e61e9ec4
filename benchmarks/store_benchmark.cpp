// The token store against its floors, per backend, in one binary and one run:
//   <Backend>Lookup/N        get_access_token on a fresh token among N stored credentials,
//                            decrypt included, through the manager
//                            vs the same read by hand (the database's own API, the owner
//                            checked) plus one raw Fernet decrypt
//   <Backend>StoreRefresh/N  a refreshed pair stored: both tokens sealed, compare-and-swap
//                            vs the same by hand: two raw encryptions and a version-checked
//                            write in one transaction
//   <Backend>HotLookup/N     the same, among a working set of 1,000 of the N (a service's
//                            credentials in use): the store's size without the cache misses
//                            of touching all of it
//   MemoryFootprint/N        bytes held per stored credential (counter bytes_per_credential)
//                            vs a hash map of the same ciphertexts
// PostgreSQL and Redis are the servers of tests/support/db_servers.sh, found through the
// file OAUTH_DB_SERVERS names (scripts/bench starts them). Each credential's last use is
// recorded when it is seeded, as for any credential in use: a lookup then writes nothing.

#include "fernet_floor.hpp"
#include "instruction_count.hpp"

#include <oauth/manager.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/runtime.hpp>
#include <oauth/store/memory.hpp>
#include <oauth/store/postgres.hpp>
#include <oauth/store/redis.hpp>
#include <oauth/store/sqlite.hpp>

#include <benchmark/benchmark.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <malloc.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using oauth::providers::Google;
namespace store = oauth::store;

std::string const key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

oauth::crypto::Keyring keyring() { return oauth::crypto::Keyring::from_list(key).value(); }

/// A Google access token's size and shape.
std::string access_token(std::size_t i) {
  auto token = "ya29.a0AfB_byC" + std::to_string(i);
  token.resize(180, 'x');
  return token;
}

struct Credential {
  std::string id, tenant, user;
};

/// KEY=VALUE lines of the file db_servers.sh wrote.
std::map<std::string, std::string> servers() {
  std::map<std::string, std::string> values;
  char const* file = std::getenv("OAUTH_DB_SERVERS");
  if (file == nullptr) return values;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (auto eq = line.find('='); eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  return values;
}

std::filesystem::path scratch() {
  static auto const dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("oauth-store-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

/// N credentials stored through the library, from several threads where the backend
/// has a server to keep busy.
template <class B>
std::vector<Credential> seed(oauth::TokenStore<B>& tokens, std::size_t count, int threads) {
  std::vector<Credential> seeded(count);
  auto const now = oauth::Clock::now();
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      oauth::IntegrationRecord record;
      record.tenant_id = "tenant-" + std::to_string(i % 16);
      record.user_id = "user-" + std::to_string(i);
      record.provider = "google";
      record.account_id = "account-" + std::to_string(i);
      record.identity.account_id = record.account_id;
      record.identity.email = "user" + std::to_string(i) + "@example.com";
      record.created_at = record.updated_at = now;
      oauth::IssuedTokens issued{oauth::AccessToken(access_token(i)),
                                 oauth::RefreshToken("1//0refresh" + std::to_string(i)),
                                 now + std::chrono::hours(2),
                                 now,
                                 {"openid", "email", "calendar.readonly"}};
      auto saved = tokens.save_connection(record, issued, {.tenant_id = record.tenant_id, .user_id = record.user_id});
      if (!saved) throw std::runtime_error("seeding: " + saved.error().message());
      (void)tokens.record_use(saved->owner(), saved->id, oauth::UseKind::used, now);
      seeded[i] = {saved->id, saved->tenant_id, saved->user_id};
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return seeded;
}

/// A manager over a backend of N seeded credentials, kept for the whole run.
template <class B>
struct Library {
  Library(B backend, std::vector<Credential> seeded)
      : tokens(std::move(backend), keyring()), manager(runtime.executor(), tokens), credentials(std::move(seeded)) {
    (void)manager.configure<Google>({"client-id", oauth::ClientSecret("secret"), {"https://app.example/cb"}, {}});
  }
  oauth::Runtime runtime{1};
  oauth::TokenStore<B> tokens;
  oauth::Manager<Google> manager;
  std::vector<Credential> credentials;
};

using TokenBuffer = std::array<unsigned char, 512>;

/// The floor's side of storing a refreshed pair: the n-th rotated pair sealed by hand
/// into buffers kept across iterations; their lengths.
std::pair<std::size_t, std::size_t> seal_rotated_pair(oauth::bench::Floor& floor, std::size_t n, TokenBuffer& access,
                                                      TokenBuffer& refresh) {
  auto const plain = access_token(n);
  auto const rotated = "1//0rotated" + std::to_string(n);
  return {floor.encrypt(reinterpret_cast<unsigned char const*>(plain.data()), static_cast<int>(plain.size()),
                        1'700'000'000, access.data()),
          floor.encrypt(reinterpret_cast<unsigned char const*>(rotated.data()), static_cast<int>(rotated.size()),
                        1'700'000'000, refresh.data())};
}

/// Lookups of credentials picked at random: among all of them, or among a working set of
/// `hot` picked at random once (a service's credentials in use, among all it stores).
void lookup_loop(benchmark::State& state, std::vector<Credential> const& all, auto&& lookup, std::size_t hot = 0) {
  std::minstd_rand random(42);
  std::vector<Credential> working_set;
  if (hot != 0) {
    std::uniform_int_distribution<std::size_t> any(0, all.size() - 1);
    for (std::size_t i = 0; i < hot; ++i) working_set.push_back(all[any(random)]);
  }
  auto const& credentials = hot != 0 ? working_set : all;
  std::uniform_int_distribution<std::size_t> pick(0, credentials.size() - 1);
  for (auto _ : state) {
    auto const& c = credentials[pick(random)];
    if (!lookup(c)) {
      state.SkipWithError("a lookup failed");
      break;
    }
  }
}

template <class B>
void library_lookup(benchmark::State& state, Library<B>& library, std::size_t hot = 0) {
  lookup_loop(
      state, library.credentials,
      [&](Credential const& c) {
        auto grant = library.manager.template get_access_token<Google>(c.tenant, c.user, c.id);
        benchmark::DoNotOptimize(grant);
        return grant && !grant->refreshed;
      },
      hot);
}

constexpr std::size_t hot_credentials = 1000;

/// Stores refreshed pairs over the first credentials in turn, each over its latest version.
/// Run by several threads, each takes credentials of its own.
template <class B>
void library_store_refresh(benchmark::State& state, Library<B>& library) {
  std::vector<oauth::Credential> current;
  auto const threads = static_cast<std::size_t>(state.threads());
  auto const first = static_cast<std::size_t>(state.thread_index());
  for (std::size_t i = first; i < 200 * threads && i < library.credentials.size(); i += threads) {
    auto const& c = library.credentials[i];
    current.push_back(library.tokens.credential({c.tenant, c.user}, c.id).value());
  }
  std::size_t n = 0;
  for (auto _ : state) {
    auto& from = current[n % current.size()];
    auto const now = oauth::Clock::now();
    auto stored = library.tokens.replace_tokens(
        from, {oauth::AccessToken(access_token(n)), oauth::RefreshToken("1//0rotated" + std::to_string(n)),
               now + std::chrono::hours(1), now, from.record.scopes});
    if (!stored) {
      state.SkipWithError(stored.error().message().c_str());
      break;
    }
    from = std::move(*stored);
    ++n;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}

/// library_store_refresh by many threads at once, as a service's store threads under load:
/// writes that arrive while one commits share the next. Reports the writes per commit.
template <class B>
void library_concurrent_store_refresh(benchmark::State& state, Library<B>& library) {
  auto const before = library.tokens.backend().commit_counts();
  library_store_refresh(state, library);
  if (state.thread_index() != 0) return;
  auto const after = library.tokens.backend().commit_counts();
  auto const transactions = after.transactions - before.transactions;
  if (transactions != 0)
    state.counters["writes_per_commit"] =
        static_cast<double>(after.writes - before.writes) / static_cast<double>(transactions);
}

/// An authorization started, as initiate_flow stores it: a new state and its audit row in
/// one relaxed transaction, by many threads at once (a service's store threads under
/// load). States are random keys, as in service. Reports the writes per commit.
template <class B>
void library_concurrent_start_flow(benchmark::State& state, Library<B>& library) {
  auto& tokens = library.tokens;
  auto const before = tokens.backend().commit_counts();
  std::mt19937_64 random(std::random_device{}());
  std::size_t n = 0;
  for (auto _ : state) {
    oauth::FlowState flow{.state = std::to_string(random()) + std::to_string(random()),
                          .provider = "google",
                          .tenant_id = "default",
                          .user_id = "user-" + std::to_string(n++ % 200),
                          .session_id = "session",
                          .scopes = {"openid", "email"},
                          .code_verifier = oauth::CodeVerifier(std::string(43, 'v')),
                          .redirect_uri = "https://app.example/cb"};
    flow.created_at = oauth::Clock::now();
    flow.expires_at = flow.created_at + std::chrono::minutes(10);
    auto work = [&]() -> oauth::Result<void> {
      if (auto put = tokens.put_state(flow); !put) return put;
      return tokens.audit({.at = flow.created_at,
                           .tenant_id = flow.tenant_id,
                           .user_id = flow.user_id,
                           .provider = flow.provider,
                           .action = oauth::AuditAction::authorization_started});
    };
    if (!tokens.together(store::Durability::relaxed, work)) state.SkipWithError("a state was not stored");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() != 0) return;
  auto const after = tokens.backend().commit_counts();
  if (auto const transactions = after.transactions - before.transactions; transactions != 0)
    state.counters["writes_per_commit"] =
        static_cast<double>(after.writes - before.writes) / static_cast<double>(transactions);
}

// ---- memory ----------------------------------------------------------------------------

std::size_t heap_in_use() { return mallinfo2().uordblks; }

/// What a copy of the list of seeded credentials takes: the benchmark's, not the store's.
std::size_t heap_of(std::vector<Credential> const& credentials) {
  auto const before = heap_in_use();
  auto copy = credentials;
  return heap_in_use() - before;
}

struct MemoryFixture {
  explicit MemoryFixture(std::size_t count) {
    auto const before = heap_in_use();
    store::MemoryBackend backend;
    oauth::TokenStore<store::MemoryBackend> seeding(backend, keyring());
    auto credentials = seed(seeding, count, 1);
    auto const held = heap_in_use() - before - heap_of(credentials);
    bytes_per_credential = static_cast<double>(held) / static_cast<double>(count);
    library = std::make_unique<Library<store::MemoryBackend>>(backend, std::move(credentials));
  }
  std::unique_ptr<Library<store::MemoryBackend>> library;
  double bytes_per_credential = 0;
};

MemoryFixture& memory_fixture(std::size_t count) {
  static std::map<std::size_t, std::unique_ptr<MemoryFixture>> made;
  auto& slot = made[count];
  if (!slot) slot = std::make_unique<MemoryFixture>(count);
  return *slot;
}

/// The floor: a hash map from id to what a lookup needs, the ciphertext sealed once.
struct MemoryFloor {
  /// What the store keeps of a credential, at its plainest.
  struct Row {
    std::string tenant, user, provider, account, email, scopes, access, refresh, key_id;
    std::int64_t expires, issued, version;
  };
  explicit MemoryFloor(std::size_t count) {
    auto const before = heap_in_use();
    TokenBuffer access{}, refresh{};
    for (std::size_t i = 0; i < count; ++i) {
      auto const plain = access_token(i);
      auto const plain_refresh = "1//0refresh" + std::to_string(i);
      auto const a = floor.encrypt(reinterpret_cast<unsigned char const*>(plain.data()), static_cast<int>(plain.size()),
                                   1'700'000'000, access.data());
      auto const r = floor.encrypt(reinterpret_cast<unsigned char const*>(plain_refresh.data()),
                                   static_cast<int>(plain_refresh.size()), 1'700'000'000, refresh.data());
      // Ids as long as the library's (22 characters), so neither side has the shorter key.
      Credential c{oauth::crypto::random_token(16).value(), "tenant-" + std::to_string(i % 16),
                   "user-" + std::to_string(i)};
      rows.emplace(c.id, Row{c.tenant, c.user, "google", "account-" + std::to_string(i),
                             "user" + std::to_string(i) + "@example.com", "openid email calendar.readonly",
                             std::string(reinterpret_cast<char const*>(access.data()), a),
                             std::string(reinterpret_cast<char const*>(refresh.data()), r), "0123456789ab",
                             4'000'000'000, 1'700'000'000, 1});
      credentials.push_back(std::move(c));
    }
    auto const held = heap_in_use() - before - heap_of(credentials);
    bytes_per_credential = static_cast<double>(held) / static_cast<double>(count);
  }
  oauth::bench::Floor floor;
  std::unordered_map<std::string, Row> rows;
  std::vector<Credential> credentials;
  double bytes_per_credential = 0;
  std::mutex mutex;
};

MemoryFloor& memory_floor(std::size_t count) {
  static std::map<std::size_t, std::unique_ptr<MemoryFloor>> made;
  auto& slot = made[count];
  if (!slot) slot = std::make_unique<MemoryFloor>(count);
  return *slot;
}

/// Counts the instructions of one lookup for benchmarks/instructions.py.
oauth::bench::InstructionCount lookups(benchmark::State& state, std::string const& name) {
  return {state, name + "/" + std::to_string(state.range(0)), 1};
}

void BM_Library_MemoryLookup(benchmark::State& state) {
  auto& library = *memory_fixture(static_cast<std::size_t>(state.range(0))).library;
  auto const counted = lookups(state, "BM_Library_MemoryLookup");
  library_lookup(state, library);
}

void memory_floor_lookup(benchmark::State& state, std::size_t hot) {
  auto& f = memory_floor(static_cast<std::size_t>(state.range(0)));
  auto const counted = lookups(state, hot != 0 ? "BM_Floor_MemoryHotLookup" : "BM_Floor_MemoryLookup");
  std::array<unsigned char, 512> out{};
  lookup_loop(
      state, f.credentials,
      [&](Credential const& c) {
        std::lock_guard lock(f.mutex);
        auto it = f.rows.find(c.id);
        if (it == f.rows.end() || it->second.tenant != c.tenant || it->second.user != c.user) return false;
        auto const& t = it->second.access;
        int n = f.floor.decrypt(reinterpret_cast<unsigned char const*>(t.data()), t.size(), out.data());
        benchmark::DoNotOptimize(out);
        return n > 0 && it->second.expires > 0;
      },
      hot);
}

void BM_Floor_MemoryLookup(benchmark::State& state) { memory_floor_lookup(state, 0); }
void BM_Floor_MemoryHotLookup(benchmark::State& state) { memory_floor_lookup(state, hot_credentials); }

void BM_Library_MemoryHotLookup(benchmark::State& state) {
  auto& library = *memory_fixture(static_cast<std::size_t>(state.range(0))).library;
  auto const counted = lookups(state, "BM_Library_MemoryHotLookup");
  library_lookup(state, library, hot_credentials);
}

void BM_Library_MemoryFootprint(benchmark::State& state) {
  auto& f = memory_fixture(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(f.bytes_per_credential);
  state.counters["bytes_per_credential"] = f.bytes_per_credential;
}

void BM_Floor_MemoryFootprint(benchmark::State& state) {
  auto& f = memory_floor(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(f.bytes_per_credential);
  state.counters["bytes_per_credential"] = f.bytes_per_credential;
}

void BM_Library_MemoryStoreRefresh(benchmark::State& state) {
  library_store_refresh(state, *memory_fixture(static_cast<std::size_t>(state.range(0))).library);
}

void BM_Floor_MemoryStoreRefresh(benchmark::State& state) {
  auto& f = memory_floor(static_cast<std::size_t>(state.range(0)));
  TokenBuffer access{}, refresh{};
  std::size_t n = 0;
  for (auto _ : state) {
    auto const [a, r] = seal_rotated_pair(f.floor, n, access, refresh);
    std::lock_guard lock(f.mutex);
    auto& row = f.rows.find(f.credentials[n % 200].id)->second;
    row.access.assign(reinterpret_cast<char const*>(access.data()), a);
    row.refresh.assign(reinterpret_cast<char const*>(refresh.data()), r);
    ++row.version;
    ++n;
  }
}

// ---- SQLite ----------------------------------------------------------------------------

struct SqliteFixture {
  explicit SqliteFixture(std::size_t count) : path((scratch() / ("tokens-" + std::to_string(count) + ".db")).string()) {
    {
      auto bulk = store::SqliteBackend::open({.path = path, .durability = store::SqliteDurability::normal});
      oauth::TokenStore<store::SqliteBackend> seeding(bulk.value(), keyring());
      credentials = seed(seeding, count, 2);
    }
    library = std::make_unique<Library<store::SqliteBackend>>(store::SqliteBackend::open({.path = path}).value(),
                                                              credentials);
  }
  std::string path;
  std::vector<Credential> credentials;
  std::unique_ptr<Library<store::SqliteBackend>> library;
};

SqliteFixture& sqlite_fixture(std::size_t count) {
  static std::mutex making;
  std::lock_guard lock(making);
  static std::map<std::size_t, std::unique_ptr<SqliteFixture>> made;
  auto& slot = made[count];
  if (!slot) slot = std::make_unique<SqliteFixture>(count);
  return *slot;
}

char const* const floor_lookup_sql =
    "SELECT t.access_token, t.expires_at FROM integrations i JOIN tokens t ON t.integration_id = i.id "
    "WHERE i.id = ? AND i.tenant_id = ? AND i.user_id = ?";

void BM_Library_SqliteLookup(benchmark::State& state) {
  library_lookup(state, *sqlite_fixture(static_cast<std::size_t>(state.range(0))).library);
}

void sqlite_floor_lookup(benchmark::State& state, std::size_t hot) {
  auto& f = sqlite_fixture(static_cast<std::size_t>(state.range(0)));
  sqlite3* db = nullptr;
  sqlite3_open_v2(f.path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  // The library's own reading settings: a memory map and a 16 MiB page cache.
  sqlite3_exec(db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16384", nullptr, nullptr, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, floor_lookup_sql, -1, &statement, nullptr);
  oauth::bench::Floor floor;
  std::array<unsigned char, 512> out{};
  lookup_loop(
      state, f.credentials,
      [&](Credential const& c) {
        sqlite3_bind_text(statement, 1, c.id.data(), static_cast<int>(c.id.size()), SQLITE_STATIC);
        sqlite3_bind_text(statement, 2, c.tenant.data(), static_cast<int>(c.tenant.size()), SQLITE_STATIC);
        sqlite3_bind_text(statement, 3, c.user.data(), static_cast<int>(c.user.size()), SQLITE_STATIC);
        bool ok = false;
        if (sqlite3_step(statement) == SQLITE_ROW) {
          auto const* t = sqlite3_column_text(statement, 0);
          ok = floor.decrypt(t, static_cast<std::size_t>(sqlite3_column_bytes(statement, 0)), out.data()) > 0 &&
               sqlite3_column_int64(statement, 1) > 0;
        }
        sqlite3_reset(statement);
        benchmark::DoNotOptimize(out);
        return ok;
      },
      hot);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

void BM_Floor_SqliteLookup(benchmark::State& state) { sqlite_floor_lookup(state, 0); }
void BM_Floor_SqliteHotLookup(benchmark::State& state) { sqlite_floor_lookup(state, hot_credentials); }

void BM_Library_SqliteHotLookup(benchmark::State& state) {
  library_lookup(state, *sqlite_fixture(static_cast<std::size_t>(state.range(0))).library, hot_credentials);
}

void BM_Library_SqliteStoreRefresh(benchmark::State& state) {
  library_store_refresh(state, *sqlite_fixture(static_cast<std::size_t>(state.range(0))).library);
}

void BM_Library_SqliteConcurrentStoreRefresh(benchmark::State& state) {
  library_concurrent_store_refresh(state, *sqlite_fixture(static_cast<std::size_t>(state.range(0))).library);
}

void BM_Library_SqliteConcurrentStartFlow(benchmark::State& state) {
  library_concurrent_start_flow(state, *sqlite_fixture(static_cast<std::size_t>(state.range(0))).library);
}

// The library's store of a refreshed pair, and no more: the record's version is known
// from the previous write, so the compare-and-swap on version and owner comes back with
// the new version, and the token row gets the same columns.
char const* const floor_bump_sql =
    "UPDATE integrations SET version = version + 1, updated_at = ?, granted_scopes = ? "
    "WHERE id = ? AND tenant_id = ? AND user_id = ? AND version = ? AND status <> 'disconnected' "
    "RETURNING version, status, created_at, last_used_at, last_validated_at";
char const* const floor_tokens_sql =
    "UPDATE tokens SET access_token = ?, refresh_token = ?, token_type = ?, expires_at = ?, issued_at = ?, scope = ?, "
    "key_id = ? WHERE integration_id = ?";

void BM_Floor_SqliteStoreRefresh(benchmark::State& state) {
  auto& f = sqlite_fixture(static_cast<std::size_t>(state.range(0)));
  sqlite3* db = nullptr;
  sqlite3_open_v2(f.path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite3_exec(db, "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
  sqlite3_stmt *read = nullptr, *bump = nullptr, *write = nullptr;
  sqlite3_prepare_v2(db, "SELECT version FROM integrations WHERE id = ?", -1, &read, nullptr);
  sqlite3_prepare_v2(db, floor_bump_sql, -1, &bump, nullptr);
  sqlite3_prepare_v2(db, floor_tokens_sql, -1, &write, nullptr);
  auto const text = [](sqlite3_stmt* statement, int index, std::string_view value) {
    sqlite3_bind_text(statement, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  };
  // The versions the library's caller holds from its last read, read once before timing.
  std::vector<std::int64_t> versions;
  for (std::size_t i = 0; i < 200 && i < f.credentials.size(); ++i) {
    text(read, 1, f.credentials[i].id);
    sqlite3_step(read);
    versions.push_back(sqlite3_column_int64(read, 0));
    sqlite3_reset(read);
  }
  oauth::bench::Floor floor;
  TokenBuffer access{}, refresh{};
  std::size_t n = 0;
  for (auto _ : state) {
    auto const slot = n % versions.size();
    auto const& c = f.credentials[slot];
    auto const [a, r] = seal_rotated_pair(floor, n, access, refresh);
    auto const now =
        std::chrono::duration_cast<std::chrono::microseconds>(oauth::Clock::now().time_since_epoch()).count();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_bind_int64(bump, 1, now);
    text(bump, 2, "https://www.googleapis.com/auth/calendar.readonly");
    text(bump, 3, c.id);
    text(bump, 4, c.tenant);
    text(bump, 5, c.user);
    sqlite3_bind_int64(bump, 6, versions[slot]);
    bool const swapped = sqlite3_step(bump) == SQLITE_ROW;
    if (swapped) versions[slot] = sqlite3_column_int64(bump, 0);
    sqlite3_reset(bump);
    text(write, 1, {reinterpret_cast<char const*>(access.data()), a});
    text(write, 2, {reinterpret_cast<char const*>(refresh.data()), r});
    text(write, 3, "Bearer");
    sqlite3_bind_int64(write, 4, now + 3'600'000'000);
    sqlite3_bind_int64(write, 5, now);
    text(write, 6, "https://www.googleapis.com/auth/calendar.readonly");
    text(write, 7, "0123456789ab");
    text(write, 8, c.id);
    sqlite3_step(write);
    sqlite3_reset(write);
    if (!swapped || sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      state.SkipWithError("the version check or the commit failed");
      break;
    }
    ++n;
  }
  for (auto* statement : {read, bump, write}) sqlite3_finalize(statement);
  sqlite3_close(db);
}

// ---- PostgreSQL --------------------------------------------------------------------------

std::string postgres_url() {
  auto values = servers();
  auto it = values.find("OAUTH_TEST_POSTGRES_URL");
  return it == values.end() ? std::string() : it->second;
}

struct PostgresFixture {
  explicit PostgresFixture(std::size_t count) : schema("bench_" + std::to_string(count)) {
    auto options = store::PostgresOptions{.connection = postgres_url(), .schema = schema};
    PGconn* conn = PQconnectdb(postgres_url().c_str());
    PQclear(PQexec(conn, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
    PQfinish(conn);
    auto backend = store::PostgresBackend::open(options).value();
    oauth::TokenStore<store::PostgresBackend> seeding(backend, keyring());
    credentials = seed(seeding, count, 8);
    // Settled, as a store in service is: autovacuum would otherwise run beside the lookups.
    PGconn* settle = PQconnectdb(postgres_url().c_str());
    PQclear(PQexec(settle, ("SET search_path TO " + schema).c_str()));
    PQclear(PQexec(settle, "VACUUM ANALYZE integrations; VACUUM ANALYZE tokens"));
    PQfinish(settle);
    library = std::make_unique<Library<store::PostgresBackend>>(backend, credentials);
  }
  std::string schema;
  std::vector<Credential> credentials;
  std::unique_ptr<Library<store::PostgresBackend>> library;
};

PostgresFixture* postgres_fixture(benchmark::State& state) {
  if (postgres_url().empty()) {
    state.SkipWithError("no PostgreSQL server: set OAUTH_DB_SERVERS (scripts/bench does)");
    return nullptr;
  }
  static std::mutex making;
  std::lock_guard lock(making);
  static std::map<std::size_t, std::unique_ptr<PostgresFixture>> made;
  auto& slot = made[static_cast<std::size_t>(state.range(0))];
  if (!slot) slot = std::make_unique<PostgresFixture>(static_cast<std::size_t>(state.range(0)));
  return slot.get();
}

void BM_Library_PostgresLookup(benchmark::State& state) {
  if (auto* f = postgres_fixture(state)) library_lookup(state, *f->library);
}

void BM_Floor_PostgresLookup(benchmark::State& state) {
  auto* f = postgres_fixture(state);
  if (f == nullptr) return;
  PGconn* conn = PQconnectdb(postgres_url().c_str());
  PQclear(PQexec(conn, ("SET search_path TO " + f->schema).c_str()));
  PQclear(PQprepare(conn, "floor",
                    "SELECT t.access_token, t.expires_at FROM integrations i JOIN tokens t ON t.integration_id = i.id "
                    "WHERE i.id = $1 AND i.tenant_id = $2 AND i.user_id = $3",
                    3, nullptr));
  oauth::bench::Floor floor;
  std::array<unsigned char, 512> out{};
  lookup_loop(state, f->credentials, [&](Credential const& c) {
    char const* params[] = {c.id.c_str(), c.tenant.c_str(), c.user.c_str()};
    PGresult* result = PQexecPrepared(conn, "floor", 3, params, nullptr, nullptr, 0);
    bool ok = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1 &&
              floor.decrypt(reinterpret_cast<unsigned char const*>(PQgetvalue(result, 0, 0)),
                            static_cast<std::size_t>(PQgetlength(result, 0, 0)), out.data()) > 0;
    PQclear(result);
    benchmark::DoNotOptimize(out);
    return ok;
  });
  PQfinish(conn);
}

void BM_Library_PostgresStoreRefresh(benchmark::State& state) {
  if (auto* f = postgres_fixture(state)) library_store_refresh(state, *f->library);
}

void BM_Library_PostgresConcurrentStoreRefresh(benchmark::State& state) {
  if (auto* f = postgres_fixture(state)) library_concurrent_store_refresh(state, *f->library);
}

void BM_Library_PostgresConcurrentStartFlow(benchmark::State& state) {
  if (auto* f = postgres_fixture(state)) library_concurrent_start_flow(state, *f->library);
}

void BM_Floor_PostgresStoreRefresh(benchmark::State& state) {
  auto* f = postgres_fixture(state);
  if (f == nullptr) return;
  PGconn* conn = PQconnectdb(postgres_url().c_str());
  PQclear(PQexec(conn, ("SET search_path TO " + f->schema).c_str()));
  // floor_bump_sql and floor_tokens_sql, in PostgreSQL's numbered parameters.
  PQclear(PQprepare(conn, "bump",
                    "UPDATE integrations SET version = version + 1, updated_at = $1, granted_scopes = $2 "
                    "WHERE id = $3 AND tenant_id = $4 AND user_id = $5 AND version = $6 AND status <> 'disconnected' "
                    "RETURNING version, status, created_at, last_used_at, last_validated_at",
                    6, nullptr));
  PQclear(PQprepare(conn, "write",
                    "UPDATE tokens SET access_token = $1, refresh_token = $2, token_type = $3, expires_at = $4, "
                    "issued_at = $5, scope = $6, key_id = $7 WHERE integration_id = $8",
                    8, nullptr));
  std::vector<std::string> versions;
  for (std::size_t i = 0; i < 200 && i < f->credentials.size(); ++i) {
    char const* params[] = {f->credentials[i].id.c_str()};
    PGresult* read =
        PQexecParams(conn, "SELECT version FROM integrations WHERE id = $1", 1, nullptr, params, nullptr, nullptr, 0);
    versions.emplace_back(PQntuples(read) == 1 ? PQgetvalue(read, 0, 0) : "0");
    PQclear(read);
  }
  std::string const scopes = "https://www.googleapis.com/auth/calendar.readonly";
  oauth::bench::Floor floor;
  TokenBuffer access{}, refresh{};
  std::size_t n = 0;
  for (auto _ : state) {
    auto const slot = n % versions.size();
    auto const& c = f->credentials[slot];
    auto const [a, r] = seal_rotated_pair(floor, n, access, refresh);
    std::string const access_text(reinterpret_cast<char const*>(access.data()), a);
    std::string const refresh_text(reinterpret_cast<char const*>(refresh.data()), r);
    auto const now =
        std::chrono::duration_cast<std::chrono::microseconds>(oauth::Clock::now().time_since_epoch()).count();
    std::string const now_text = std::to_string(now), expires_text = std::to_string(now + 3'600'000'000);
    PQclear(PQexec(conn, "BEGIN"));
    char const* bump_params[] = {now_text.c_str(), scopes.c_str(), c.id.c_str(),
                                 c.tenant.c_str(), c.user.c_str(), versions[slot].c_str()};
    PGresult* bumped = PQexecPrepared(conn, "bump", 6, bump_params, nullptr, nullptr, 0);
    bool const swapped = PQresultStatus(bumped) == PGRES_TUPLES_OK && PQntuples(bumped) == 1;
    if (swapped) versions[slot] = PQgetvalue(bumped, 0, 0);
    PQclear(bumped);
    char const* write_params[] = {access_text.c_str(), refresh_text.c_str(), "Bearer",       expires_text.c_str(),
                                  now_text.c_str(),    scopes.c_str(),       "0123456789ab", c.id.c_str()};
    PQclear(PQexecPrepared(conn, "write", 8, write_params, nullptr, nullptr, 0));
    PGresult* committed = PQexec(conn, "COMMIT");
    bool const ok = swapped && PQresultStatus(committed) == PGRES_COMMAND_OK;
    PQclear(committed);
    if (!ok) {
      state.SkipWithError("the version check or the commit failed");
      break;
    }
    ++n;
  }
  PQfinish(conn);
}

// ---- Redis ----------------------------------------------------------------------------

store::RedisOptions redis_options(std::string prefix) {
  auto values = servers();
  auto options = store::RedisOptions::from_url(values["OAUTH_TEST_REDIS_URL"]).value();
  options.prefix = std::move(prefix);
  return options;
}

struct RedisFixture {
  explicit RedisFixture(std::size_t count)
      : prefix("bench" + std::to_string(count) + "-" + std::to_string(::getpid())) {
    auto options = redis_options(prefix);
    auto backend = store::RedisBackend::open(options).value();
    oauth::TokenStore<store::RedisBackend> seeding(backend, keyring());
    credentials = seed(seeding, count, 8);
    library = std::make_unique<Library<store::RedisBackend>>(backend, credentials);
  }
  std::string prefix;
  std::vector<Credential> credentials;
  std::unique_ptr<Library<store::RedisBackend>> library;
};

RedisFixture* redis_fixture(benchmark::State& state) {
  if (!servers().contains("OAUTH_TEST_REDIS_URL")) {
    state.SkipWithError("no Redis server: set OAUTH_DB_SERVERS (scripts/bench does)");
    return nullptr;
  }
  static std::map<std::size_t, std::unique_ptr<RedisFixture>> made;
  auto& slot = made[static_cast<std::size_t>(state.range(0))];
  if (!slot) slot = std::make_unique<RedisFixture>(static_cast<std::size_t>(state.range(0)));
  return slot.get();
}

void BM_Library_RedisLookup(benchmark::State& state) {
  if (auto* f = redis_fixture(state)) library_lookup(state, *f->library);
}

void BM_Floor_RedisLookup(benchmark::State& state) {
  auto* f = redis_fixture(state);
  if (f == nullptr) return;
  auto const options = redis_options(f->prefix);
  redisContext* c = redisConnect(options.host.c_str(), options.port);
  oauth::bench::Floor floor;
  std::array<unsigned char, 512> out{};
  lookup_loop(state, f->credentials, [&](Credential const& cred) {
    auto const k = f->prefix + ":integration:" + cred.id;
    auto* reply =
        static_cast<redisReply*>(redisCommand(c, "HMGET %b tenant_id user_id access_token", k.data(), k.size()));
    bool ok = reply != nullptr && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
              reply->element[2]->type == REDIS_REPLY_STRING &&
              std::string_view(reply->element[0]->str, reply->element[0]->len) == cred.tenant &&
              std::string_view(reply->element[1]->str, reply->element[1]->len) == cred.user &&
              floor.decrypt(reinterpret_cast<unsigned char const*>(reply->element[2]->str), reply->element[2]->len,
                            out.data()) > 0;
    freeReplyObject(reply);
    benchmark::DoNotOptimize(out);
    return ok;
  });
  redisFree(c);
}

void BM_Library_RedisStoreRefresh(benchmark::State& state) {
  if (auto* f = redis_fixture(state)) library_store_refresh(state, *f->library);
}

void BM_Floor_RedisStoreRefresh(benchmark::State& state) {
  auto* f = redis_fixture(state);
  if (f == nullptr) return;
  auto const options = redis_options(f->prefix);
  redisContext* c = redisConnect(options.host.c_str(), options.port);
  // The least a compare-and-swap of a pair can be: one script, the version checked.
  char const* script =
      "if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end "
      "redis.call('HSET', KEYS[1], 'access_token', ARGV[2], 'refresh_token', ARGV[3]) "
      "return redis.call('HINCRBY', KEYS[1], 'version', 1)";
  std::map<std::string, long long> versions;
  oauth::bench::Floor floor;
  TokenBuffer access{}, refresh{};
  std::size_t n = 0;
  for (auto _ : state) {
    auto const k = f->prefix + ":integration:" + f->credentials[n % 200].id;
    auto& version = versions[k];
    if (version == 0) {
      auto* current = static_cast<redisReply*>(redisCommand(c, "HGET %b version", k.data(), k.size()));
      version = std::stoll(std::string(current->str, current->len));
      freeReplyObject(current);
    }
    auto const [a, r] = seal_rotated_pair(floor, n, access, refresh);
    auto const expected = std::to_string(version);
    auto* reply =
        static_cast<redisReply*>(redisCommand(c, "EVAL %s 1 %b %b %b %b", script, k.data(), k.size(), expected.data(),
                                              expected.size(), access.data(), a, refresh.data(), r));
    bool const ok = reply != nullptr && reply->type == REDIS_REPLY_INTEGER && reply->integer > 0;
    if (ok) version = reply->integer;
    freeReplyObject(reply);
    if (!ok) {
      state.SkipWithError("compare-and-swap failed");
      break;
    }
    ++n;
  }
  redisFree(c);
}

}  // namespace

// ---- rate slots shared by every instance ----------------------------------------------

/// The names of `count` rate buckets, taken in turn.
std::vector<std::string> bucket_names(std::size_t count) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i) names.push_back("bench:" + std::to_string(i));
  return names;
}

/// Takes slots of Arg buckets in turn, under a rate that always has one free: what a request
/// pays for a limit that holds across instances (store/rate_slots.hpp).
template <class B>
void library_rate_slot(benchmark::State& state, oauth::TokenStore<B>& tokens) {
  auto const names = bucket_names(static_cast<std::size_t>(state.range(0)));
  auto const spacing = store::RateSpacing::of(1e6, 1'000'000);
  std::size_t n = 0;
  for (auto _ : state) {
    auto slot = tokens.reserve_rate_slot(names[n++ % names.size()], spacing, store::SlotRequest::take_if_free);
    if (!slot || !slot->granted) {
      state.SkipWithError("a rate slot was refused");
      break;
    }
  }
}

void BM_Library_PostgresRateSlot(benchmark::State& state) {
  if (auto* f = postgres_fixture(state)) library_rate_slot(state, f->library->tokens);
}

/// The floor: one round trip that reads a bucket by its key, and writes nothing.
void BM_Floor_PostgresRateSlot(benchmark::State& state) {
  auto* f = postgres_fixture(state);
  if (f == nullptr) return;
  PGconn* conn = PQconnectdb(postgres_url().c_str());
  PQclear(PQexec(conn, ("SET search_path TO " + f->schema).c_str()));
  PQclear(PQprepare(conn, "floor", "SELECT theoretical_arrival FROM rate_slots WHERE key = $1", 1, nullptr));
  auto const names = bucket_names(static_cast<std::size_t>(state.range(0)));
  std::size_t n = 0;
  for (auto _ : state) {
    char const* params[] = {names[n++ % names.size()].c_str()};
    PGresult* result = PQexecPrepared(conn, "floor", 1, params, nullptr, nullptr, 0);
    bool const ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    PQclear(result);
    if (!ok) {
      state.SkipWithError("the floor's read failed");
      break;
    }
  }
  PQfinish(conn);
}

void BM_Library_RedisRateSlot(benchmark::State& state) {
  if (auto* f = redis_fixture(state)) library_rate_slot(state, f->library->tokens);
}

/// The floor: one GET of a bucket's key.
void BM_Floor_RedisRateSlot(benchmark::State& state) {
  auto* f = redis_fixture(state);
  if (f == nullptr) return;
  auto const options = redis_options(f->prefix);
  redisContext* c = redisConnect(options.host.c_str(), options.port);
  auto names = bucket_names(static_cast<std::size_t>(state.range(0)));
  for (auto& name : names) name = f->prefix + ":rate:" + name;
  std::size_t n = 0;
  for (auto _ : state) {
    auto const& key = names[n++ % names.size()];
    auto* reply = static_cast<redisReply*>(redisCommand(c, "GET %b", key.data(), key.size()));
    bool const ok = reply != nullptr && reply->type != REDIS_REPLY_ERROR;
    freeReplyObject(reply);
    if (!ok) {
      state.SkipWithError("the floor's read failed");
      break;
    }
  }
  redisFree(c);
}

BENCHMARK(BM_Library_MemoryLookup)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Floor_MemoryLookup)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Library_MemoryHotLookup)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Floor_MemoryHotLookup)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Library_MemoryFootprint)->Arg(1000)->Arg(1'000'000)->Iterations(1);
BENCHMARK(BM_Floor_MemoryFootprint)->Arg(1000)->Arg(1'000'000)->Iterations(1);
BENCHMARK(BM_Library_MemoryStoreRefresh)->Arg(1000);
BENCHMARK(BM_Floor_MemoryStoreRefresh)->Arg(1000);
BENCHMARK(BM_Library_SqliteLookup)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Floor_SqliteLookup)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Library_SqliteHotLookup)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Floor_SqliteHotLookup)->Arg(1000)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_Library_SqliteStoreRefresh)->Arg(1000);
BENCHMARK(BM_Floor_SqliteStoreRefresh)->Arg(1000);
// Its floor is BM_Floor_SqliteStoreRefresh's one write per commit: compare items per second.
BENCHMARK(BM_Library_SqliteConcurrentStoreRefresh)->Arg(1000)->Threads(16)->UseRealTime();
BENCHMARK(BM_Library_SqliteConcurrentStartFlow)->Arg(1000)->Threads(64)->UseRealTime();
BENCHMARK(BM_Library_PostgresLookup)->Arg(1000)->Arg(100'000);
BENCHMARK(BM_Floor_PostgresLookup)->Arg(1000)->Arg(100'000);
BENCHMARK(BM_Library_PostgresStoreRefresh)->Arg(1000);
BENCHMARK(BM_Floor_PostgresStoreRefresh)->Arg(1000);
BENCHMARK(BM_Library_PostgresConcurrentStoreRefresh)->Arg(1000)->Threads(16)->UseRealTime();
BENCHMARK(BM_Library_PostgresConcurrentStartFlow)->Arg(1000)->Threads(64)->UseRealTime();
BENCHMARK(BM_Library_RedisLookup)->Arg(1000)->Arg(100'000);
BENCHMARK(BM_Floor_RedisLookup)->Arg(1000)->Arg(100'000);
BENCHMARK(BM_Library_RedisStoreRefresh)->Arg(1000);
BENCHMARK(BM_Floor_RedisStoreRefresh)->Arg(1000);
BENCHMARK(BM_Library_PostgresRateSlot)->Arg(1000);
BENCHMARK(BM_Floor_PostgresRateSlot)->Arg(1000);
BENCHMARK(BM_Library_RedisRateSlot)->Arg(1000);
BENCHMARK(BM_Floor_RedisRateSlot)->Arg(1000);

BENCHMARK_MAIN();
