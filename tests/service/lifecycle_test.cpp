// The service's life: it refuses to start unsafe, tells its health as the store comes
// and goes, never writes a secret, and stops without losing what it was doing.

#include "service/service_fixture.hpp"
#include "store/backends.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

namespace oauth::testing {
namespace {

/// The program's verdict on a configuration: its exit status and what it said.
std::pair<int, std::string> check_config(Environment const& env) {
  std::string command = "env -i PATH=/usr/bin:/bin";
  for (auto const& [name, value] : env) command += " '" + name + "=" + value + "'";
  command += " " + std::string(OAUTH_TEST_SERVICE_BINARY) + " --check-config 2>&1";
  int status = 0;
  auto output = test::run_command(command, status);
  return {WEXITSTATUS(status), output};
}

TEST_F(ServiceTest, UnsafeConfigurationsAreRefusedWithTheReason) {
  auto const safe = environment();
  EXPECT_EQ(check_config(safe).first, 0) << check_config(safe).second;
  auto on_default_port = safe;
  on_default_port.erase("OAUTH_SERVICE_PORT");
  EXPECT_NE(check_config(on_default_port).second.find("listening on 127.0.0.1:8002"), std::string::npos);

  struct Case {
    std::string name;
    std::function<void(Environment&)> change;
    std::string says;
  };
  std::vector<Case> const cases{
      {"no key", [](auto& e) { e.erase("OAUTH_ENCRYPTION_KEY"); }, "OAUTH_ENCRYPTION_KEY is not set"},
      {"bad key", [](auto& e) { e["OAUTH_ENCRYPTION_KEY"] = "not-a-key"; },
       "OAUTH_ENCRYPTION_KEY: invalid encryption key"},
      {"no bearer secret", [](auto& e) { e.erase("OAUTH_JWT_SECRET"); },
       "OAUTH_JWT_SECRET must be set to at least 32 bytes"},
      {"short bearer secret", [](auto& e) { e["OAUTH_JWT_SECRET"] = "short"; }, "OAUTH_JWT_SECRET must be set"},
      {"one secret for both", [](auto& e) { e["OAUTH_SERVICE_TOKEN_SECRET"] = user_secret; },
       "OAUTH_SERVICE_TOKEN_SECRET must differ from OAUTH_JWT_SECRET"},
      {"wildcard with credentials", [](auto& e) { e["OAUTH_CORS_ORIGINS"] = "*"; },
       "a wildcard CORS origin cannot be combined with credentials"},
      {"wildcard in production",
       [](auto& e) {
         e["OAUTH_CORS_ORIGINS"] = "*";
         e["OAUTH_CORS_CREDENTIALS"] = "false";
       },
       "a wildcard CORS origin is allowed in development mode only"},
      {"trusted proxy by name", [](auto& e) { e["OAUTH_TRUSTED_PROXIES"] = "10.0.0.1, proxy.example"; },
       "trusted proxy \"proxy.example\" is not an IP address"},
      {"store threads not a number", [](auto& e) { e["OAUTH_STORE_THREADS"] = "four"; },
       "OAUTH_STORE_THREADS must be a number from 0 to 1024"},
      {"plain http public url", [](auto& e) { e["OAUTH_PUBLIC_URL"] = "http://oauth.example.com"; },
       "public_url must be https outside development mode"},
      {"plain http provider", [](auto& e) { e["OAUTH_GOOGLE_ENDPOINT_BASE"] = "http://127.0.0.1:9"; },
       "google: a plain-HTTP endpoint base is allowed in development mode, on loopback only"},
      {"bad store", [](auto& e) { e["OAUTH_STORE_URL"] = "mysql://db"; }, "store URL"},
      {"two different keys",
       [](auto& e) { e["CREDENTIAL_ENCRYPTION_KEY"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; },
       "OAUTH_ENCRYPTION_KEY and CREDENTIAL_ENCRYPTION_KEY are both set, and differ"},
  };
  for (auto const& c : cases) {
    auto env = safe;
    c.change(env);
    auto [status, output] = check_config(env);
    EXPECT_EQ(status, 2) << c.name;
    EXPECT_NE(output.find("refusing to start"), std::string::npos) << c.name << ": " << output;
    EXPECT_NE(output.find(c.says), std::string::npos) << c.name << ": " << output;
    EXPECT_EQ(output.find(user_secret), std::string::npos) << c.name;
    EXPECT_EQ(output.find(encryption_key), std::string::npos) << c.name;
  }

  // Store threads: as many as asked, or by store, SQLite's calls waiting on the CPU alone
  // and PostgreSQL's and Redis's on the network.
  auto const cores = std::max(2u, std::thread::hardware_concurrency());
  auto threads_for = [&](std::string const& store_url, std::string const& threads) {
    auto env = safe;
    env["OAUTH_STORE_URL"] = store_url;
    if (!threads.empty()) env["OAUTH_STORE_THREADS"] = threads;
    return check_config(env).second;
  };
  EXPECT_NE(threads_for("sqlite:" + dir() + "/a.db", "").find(", " + std::to_string(cores) + " store threads"),
            std::string::npos);
  EXPECT_NE(threads_for("memory:", "0").find(", " + std::to_string(cores) + " store threads"), std::string::npos);
  EXPECT_NE(threads_for("redis://127.0.0.1:9/0", "").find(", 64 store threads"), std::string::npos);
  EXPECT_NE(threads_for("postgresql://oauth@127.0.0.1:9/oauth", "").find(", 64 store threads"), std::string::npos);
  EXPECT_NE(threads_for("sqlite:" + dir() + "/a.db", "5").find(", 5 store threads"), std::string::npos);

  // The alias alone is a key.
  auto aliased = safe;
  aliased["CREDENTIAL_ENCRYPTION_KEY"] = aliased.at("OAUTH_ENCRYPTION_KEY");
  aliased.erase("OAUTH_ENCRYPTION_KEY");
  EXPECT_EQ(check_config(aliased).first, 0) << check_config(aliased).second;

  // Development mode allows a throwaway key and plain HTTP on loopback, and says so.
  auto dev = safe;
  dev.erase("OAUTH_ENCRYPTION_KEY");
  dev["OAUTH_DEVELOPMENT"] = "1";
  dev["OAUTH_GOOGLE_ENDPOINT_BASE"] = "http://127.0.0.1:9";
  EXPECT_EQ(check_config(dev).first, 0) << check_config(dev).second;

  // A file can set everything but secrets.
  std::ofstream(dir() + "/secret.json") << R"({"bearer_secret": "in-a-file", "port": 8100})";
  auto filed = safe;
  filed["OAUTH_SERVICE_CONFIG"] = dir() + "/secret.json";
  auto [status, output] = check_config(filed);
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find("must not hold bearer_secret: set it in the environment"), std::string::npos) << output;
  std::ofstream(dir() + "/typo.json") << R"({"prot": 8100, "providers": {"gogle": {}}})";
  filed["OAUTH_SERVICE_CONFIG"] = dir() + "/typo.json";
  output = check_config(filed).second;
  EXPECT_NE(output.find("unknown setting \"prot\""), std::string::npos) << output;
  EXPECT_NE(output.find("unknown provider \"gogle\""), std::string::npos) << output;
  // Found by the fuzzer: a name from the file reached the terminal as it was, escapes and
  // line breaks included.
  std::ofstream(dir() + "/escapes.json") << R"({"po\u001b[2Jrt\n": 1, "providers": {"g\u001b]0;x\u0007": {}}})";
  filed["OAUTH_SERVICE_CONFIG"] = dir() + "/escapes.json";
  output = check_config(filed).second;
  EXPECT_NE(output.find(R"(unknown setting "po\x1b[2Jrt\x0a")"), std::string::npos) << output;
  EXPECT_NE(output.find(R"(unknown provider "g\x1b]0;x\x07")"), std::string::npos) << output;
  EXPECT_EQ(output.find('\x1b'), std::string::npos) << output;
}

TEST_F(ServiceTest, HealthFollowsTheStoreAsItGoesAndComesBack) {
  test::PrivateServers servers;
  auto env = environment();
  env["OAUTH_STORE_URL"] = servers.servers().value("OAUTH_TEST_REDIS_URL") + "?prefix=service";
  auto client = start(env).client();
  auto const ada = bearer("acme", "ada");
  CookieJar jar;
  auto const id = connect("google", ada, jar).integration_id();
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client.get("/health").status, 200);

  servers.script("stop-redis");
  auto sick = client.get("/health");
  EXPECT_EQ(sick.status, 503);
  EXPECT_EQ(json_of(sick).at("checks").at("store").at("status"), "failing");
  EXPECT_EQ(json_of(sick).at("checks").at("encryption_key").at("status"), "ok");
  auto unavailable = client.get("/api/v1/oauth/integrations", ada);
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(json_of(unavailable).at("error").at("code"), "STORE_UNAVAILABLE");

  servers.script("start-redis");
  EXPECT_EQ(client.get("/health").status, 200);
  EXPECT_EQ(json_of(client.get("/api/v1/oauth/integrations/" + id, ada)).at("status"), "active");
}

/// Runs `sql` in PostgreSQL at `url` (psql, from the server's package).
void run_sql(std::string const& url, std::string const& sql, std::string const& dir) {
  auto const file = dir + "/statements.sql";
  std::ofstream(file) << sql;
  int status = 0;
  auto const output = test::run_command("psql -q -v ON_ERROR_STOP=1 '" + url + "' -f " + file + " 2>&1", status);
  if (status != 0) throw std::runtime_error("psql: " + output);
}

/// A store for the service in the PostgreSQL at `admin_url` (a superuser, whom row
/// security does not bind), as a role that it binds, in a schema of the role's name.
/// Its OAUTH_STORE_URL.
std::string bound_store(std::string const& admin_url, std::string const& role, std::string const& dir) {
  run_sql(admin_url,
          "CREATE ROLE " + role + " LOGIN; GRANT CREATE ON DATABASE oauth_test TO " + role + "; CREATE SCHEMA " + role +
              " AUTHORIZATION " + role + ";",
          dir);
  return "postgresql://" + role + admin_url.substr(admin_url.find('@')) + "?schema=" + role;
}

/// The hook: every query that reads the row of `schema.table` whose `column` is `value`
/// takes `seconds` more in the server.
void stall_reads(std::string const& admin_url, std::string const& schema, std::string const& table,
                 std::string const& column, std::string const& value, double seconds, std::string const& dir) {
  run_sql(admin_url,
          "CREATE FUNCTION " + schema + ".pause(probe text) RETURNS boolean LANGUAGE plpgsql AS $$\n" +
              "BEGIN\n  IF probe = '" + value + "' THEN PERFORM pg_sleep(" + std::to_string(seconds) +
              "); END IF;\n  RETURN true;\nEND $$;\n" + "ALTER TABLE " + schema + "." + table +
              " ENABLE ROW LEVEL SECURITY;\n" + "ALTER TABLE " + schema + "." + table + " FORCE ROW LEVEL SECURITY;\n" +
              "CREATE POLICY pause ON " + schema + "." + table + " USING (" + schema + ".pause(" + column + "));\n",
          dir);
}

TEST_F(ServiceTest, AStalledStoreQueryLeavesHealthAndOtherIntegrationsTheirLatency) {
  test::PrivateServers servers;
  auto const admin_url = servers.servers().postgres_url();
  auto env = environment();
  env["OAUTH_STORE_URL"] = bound_store(admin_url, "stalled", dir());
  env["OAUTH_SERVICE_THREADS"] = "1";  // whatever blocks it blocks everyone
  auto client = start(env).client();
  CookieJar ada_jar;
  CookieJar bob_jar;
  auto const slow = connect("google", bearer("acme", "ada"), ada_jar).integration_id();
  auto const other = connect("google", bearer("acme", "bob"), bob_jar).integration_id();
  ASSERT_FALSE(slow.empty());
  ASSERT_FALSE(other.empty());

  stall_reads(admin_url, "stalled", "integrations", "id", slow, 0.2, dir());  // ada's row: 200 ms more
  auto const slow_route = "/api/v1/oauth/integrations/" + slow + "/token";
  auto const other_route = "/api/v1/oauth/integrations/" + other + "/token";
  auto const timed = [](auto&& request) {
    auto const began = std::chrono::steady_clock::now();
    auto const reply = request();
    return std::pair{reply.status, std::chrono::steady_clock::now() - began};
  };
  auto const [slow_status, slow_took] = timed([&] { return client.get(slow_route, server_bearer("acme", "ada")); });
  ASSERT_EQ(slow_status, 200);
  ASSERT_GE(slow_took, std::chrono::milliseconds(200)) << "the hook did not stall the store";

  // Each round: ada's token is asked for, and 50 ms later, while the service waits for
  // her query, health and bob's token are asked for on another connection.
  auto slow_client = service().client();
  int quick_health = 0, quick_token = 0;
  for (int round = 0; round < 5; ++round) {
    auto stalled = std::async(std::launch::async, [&] {
      return timed([&] { return slow_client.get(slow_route, server_bearer("acme", "ada")); });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto const [health_status, health_took] = timed([&] { return client.get("/health"); });
    auto const [token_status, token_took] =
        timed([&] { return client.get(other_route, server_bearer("acme", "bob")); });
    auto const [stalled_status, stalled_took] = stalled.get();
    EXPECT_EQ(health_status, 200);
    EXPECT_EQ(token_status, 200);
    EXPECT_EQ(stalled_status, 200);
    EXPECT_GE(stalled_took, std::chrono::milliseconds(200)) << "round " << round;
    quick_health += health_took < std::chrono::milliseconds(100);
    quick_token += token_took < std::chrono::milliseconds(100);
  }
  // With the store on the one I/O thread, each would wait out the rest of ada's 200 ms in
  // every round; a round starved by a busy machine (tests run two at a time) is forgiven.
  EXPECT_GE(quick_health, 4);
  EXPECT_GE(quick_token, 4);
}

/// The count /metrics gives for `name`, a counter with no labels.
long counter(HttpClient& client, std::string const& name) {
  auto const text = client.get("/metrics").body;
  auto const at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stol(text.substr(at + name.size() + 2));
}

TEST_F(ServiceTest, HealthRequestsThatArriveTogetherShareOneCheckOfTheStore) {
  test::PrivateServers servers;
  auto const admin_url = servers.servers().postgres_url();
  auto env = environment();
  env["OAUTH_STORE_URL"] = bound_store(admin_url, "slow_health", dir());
  auto client = start(env).client();
  ASSERT_EQ(client.get("/health").status, 200);
  // Every read of Google's scope catalogue, the check's, takes 300 ms more.
  stall_reads(admin_url, "slow_health", "scope_catalogue", "name", "openid", 0.3, dir());
  auto const began = std::chrono::steady_clock::now();
  ASSERT_EQ(client.get("/health").status, 200);
  ASSERT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(300)) << "the hook did not stall";

  // Sixteen at once: each would take a store thread for 300 ms (four of them) alone.
  auto const checks_before = counter(client, "oauth_health_checks_total");
  ASSERT_GT(checks_before, 0);
  auto const together = std::chrono::steady_clock::now();
  std::vector<std::future<int>> asked;
  for (int i = 0; i < 16; ++i)
    asked.push_back(std::async(std::launch::async, [&] { return service().client().get("/health").status; }));
  for (auto& status : asked) EXPECT_EQ(status.get(), 200);
  EXPECT_LT(std::chrono::steady_clock::now() - together, std::chrono::milliseconds(1000));
  EXPECT_LE(counter(client, "oauth_health_checks_total") - checks_before, 2);
}

TEST_F(ServiceTest, TheTokenStoreAndTheAccessLogAreTheOwnersAlone) {
  auto client = start().client();
  ASSERT_EQ(client.get("/health").status, 200);
  for (auto const* name : {"/tokens.db", "/access.log"}) {
    auto const path = std::filesystem::path(dir() + name);
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << path;
  }
}

TEST_F(ServiceTest, NoTokenCodeOrSecretReachesTheLogsOrTheDatabase) {
  start();
  auto const ada = bearer("acme", "ada");
  auto const server = server_bearer("acme", "ada");
  std::vector<std::string> secrets{ada, server, user_secret, server_secret, encryption_key, client_secret};
  auto client = service().client();
  for (auto const provider : {"google", "microsoft", "notion", "youtube"}) {
    CookieJar jar;
    auto started = client.send(
        {"POST", std::string("/api/v1/oauth/") + provider + "/authorize", {{"Authorization", "Bearer " + ada}}});
    jar.take(started);
    auto answer = consent(std::string(json_of(started).at("authorization_url").as_string()), &mocks().tls);
    secrets.push_back(answer.code);
    auto const id = follow(answer.location, jar).integration_id();
    ASSERT_FALSE(id.empty()) << provider;
    auto token = client.get("/api/v1/oauth/integrations/" + id + "/token", server);
    auto const access = std::string(json_of(token).at("access_token").as_string());
    secrets.push_back(access);
    if (auto refresh = mocks()[provider].refresh_issued_with(access)) secrets.push_back(*refresh);
    if (std::string(provider) != "notion") {
      auto const refreshed =
          client.send({"POST", "/api/v1/oauth/integrations/" + id + "/refresh", {{"Authorization", "Bearer " + ada}}});
      ASSERT_EQ(refreshed.status, 200) << provider << ": " << refreshed.body;
      auto again = client.get("/api/v1/oauth/integrations/" + id + "/token", server);
      ASSERT_EQ(again.status, 200) << provider;
      auto const fresh = std::string(json_of(again).at("access_token").as_string());
      // A refresh that failed would leave the old token, and the scan below less to look for.
      ASSERT_NE(fresh, access) << provider;
      EXPECT_TRUE(mocks()[provider].token_active(fresh)) << provider;
      secrets.push_back(fresh);
      if (auto refresh = mocks()[provider].refresh_issued_with(fresh)) secrets.push_back(*refresh);
    }
  }
  client.get("/api/v1/oauth/integrations", "forged." + ada);
  service().terminate();
  ASSERT_EQ(service().wait(std::chrono::seconds(10)), 0);

  auto const log = service().log_text();
  ASSERT_GT(log.size(), 2000u);
  std::string database;
  for (auto const& entry : std::filesystem::directory_iterator(dir()))
    if (entry.path().filename().string().starts_with("tokens.db")) database += test::read_file(entry.path().string());
  ASSERT_GT(database.size(), 10000u);
  for (auto const& secret : secrets) {
    ASSERT_GE(secret.size(), 8u);
    EXPECT_EQ(log.find(secret), std::string::npos) << "in the log: a secret of " << secret.size() << " bytes";
    EXPECT_EQ(database.find(secret), std::string::npos) << "in the database: a secret of " << secret.size() << " bytes";
  }
  EXPECT_EQ(log.find("code="), std::string::npos);
  EXPECT_EQ(log.find("state="), std::string::npos);
}

TEST_F(ServiceTest, SigtermLetsRequestsInFlightFinishAndLosesNothing) {
  start();
  auto const ada = bearer("acme", "ada");
  CookieJar jar;
  auto const id = connect("microsoft", ada, jar).integration_id();
  ASSERT_FALSE(id.empty());
  HttpClient idle(service().port());
  ASSERT_EQ(idle.get("/health").status, 200);  // a kept-alive connection with nothing to say
  auto const refreshes = mocks()["microsoft"].requests("token.refresh_token");

  // A refresh the provider takes 1.5 s to answer is under way when SIGTERM comes.
  mocks()["microsoft"].fail({.kind = FaultKind::stall, .endpoint = "token", .stall = std::chrono::milliseconds(1500)});
  auto refreshing = std::async(std::launch::async, [&] {
    return service().client().send(
        {"POST", "/api/v1/oauth/integrations/" + id + "/refresh", {{"Authorization", "Bearer " + ada}}});
  });
  // SIGTERM once the provider holds the refresh: the mock counts it before it stalls.
  while (mocks()["microsoft"].requests("token.refresh_token") == refreshes)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  service().terminate();
  EXPECT_TRUE(idle.closed_by_server(std::chrono::seconds(1)));  // idle ones are closed at once
  auto reply = refreshing.get();
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_EQ(service().wait(std::chrono::seconds(10)), 0);
  EXPECT_EQ(HttpClient(service().port()).get("/health").status, 0);  // nobody listens any more

  auto lines = service().log_lines();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[lines.size() - 2].at("event"), "request");
  EXPECT_EQ(lines.back().at("event"), "stopped");
  EXPECT_TRUE(lines.back().at("drained").as_bool());

  // What the refresh stored is whole: after a restart, the token it got is handed out.
  start();
  auto token = service().client().get("/api/v1/oauth/integrations/" + id + "/token", server_bearer("acme", "ada"));
  ASSERT_EQ(token.status, 200);
  auto const access = std::string(json_of(token).at("access_token").as_string());
  EXPECT_TRUE(mocks()["microsoft"].token_active(access));
  EXPECT_EQ(mocks()["microsoft"].requests("token.refresh_token"), refreshes + 1);
}

TEST_F(ServiceTest, EveryAnsweredRequestIsInTheAccessLogWhenTheServiceStops) {
  start();
  // Eight connections ask back to back, so that lines are held, until SIGTERM ends them.
  std::atomic<bool> stop{false};
  std::vector<std::future<std::pair<int, std::set<std::string>>>> askers;
  for (int i = 0; i < 8; ++i)
    askers.push_back(std::async(std::launch::async, [&] {
      auto client = service().client();
      std::set<std::string> answered;
      int refused = 0;
      while (!stop) {
        auto reply = client.get("/health");
        if (reply.status == 200)
          answered.insert(reply.header("x-request-id"));
        else if (++refused > 3)
          break;
      }
      return std::pair{refused, answered};
    }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  service().terminate();
  EXPECT_EQ(service().wait(std::chrono::seconds(10)), 0);
  stop = true;
  std::set<std::string> answered;
  for (auto& asker : askers) answered.merge(asker.get().second);
  ASSERT_GT(answered.size(), 50u);

  std::set<std::string> logged;
  for (auto const& line : service().log_lines())
    if (line.at("event") == "request" && line.at("status").to_number<int>() == 200)
      logged.insert(std::string(line.at("request_id").as_string()));
  EXPECT_EQ(service().log_lines().back().at("event"), "stopped");
  for (auto const& id : answered) EXPECT_TRUE(logged.contains(id)) << id << " was answered and not logged";
}

}  // namespace
}  // namespace oauth::testing
