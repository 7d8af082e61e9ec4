// oauthctl's credential file (~/.config/oauthctl/tokens.db): a SQLite database that
// anyone with the file may have changed. The input is the file's bytes; it is opened
// (migrated when it is an older schema) and everything oauthctl reads is read: the
// integrations, each one's tokens, what a fresh token needs, consents, audit and cached
// resources. A file that is not one gives a typed error, and nothing read is a token
// that does not decrypt under the key.
#include "fuzz_input.hpp"

#include <oauth/store/sqlite.hpp>
#include <oauth/store/token_store.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace {

using oauth::fuzz::require;

void check(oauth::Error const& error) {
  require(oauth::fuzz::printable(error.message()), "a store error is one printable line");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static std::string const path = "/dev/shm/oauth-fuzz-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<char const*>(data), static_cast<std::streamsize>(size));

  auto backend = oauth::store::SqliteBackend::open({.path = path,
                                                    .durability = oauth::store::SqliteDurability::normal,
                                                    .max_connections = 1,
                                                    .busy_timeout = std::chrono::milliseconds(0),
                                                    .mmap_bytes = 0,
                                                    .cache_bytes = 1 << 20});
  if (!backend) return check(backend.error()), 0;
  oauth::TokenStore<oauth::store::SqliteBackend> store(
      std::move(*backend), oauth::crypto::Keyring::from_list("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=").value());
  oauth::Owner const owner{"local", "fuzz"};
  auto integrations = store.list(owner);
  if (!integrations) return check(integrations.error()), 0;
  for (auto const& record : *integrations) {
    require(record.tenant_id == owner.tenant_id && record.user_id == owner.user_id, "only the owner's rows are read");
    if (auto credential = store.credential(owner, record.id); credential)
      require(!credential->access_token.reveal().empty(), "a credential read has its access token");
    else
      check(credential.error());
    if (auto access = store.find_access(owner, record.id); access) {
      if (auto token = store.access_token(*access); !token) check(token.error());
    } else {
      check(access.error());
    }
    if (auto resources = store.backend().list_resources(owner, record.id, "notion.database"); !resources)
      check(resources.error());
  }
  if (auto consents = store.consents(owner); !consents) check(consents.error());
  if (auto audit = store.audit_log(owner); !audit) check(audit.error());
  return 0;
}
