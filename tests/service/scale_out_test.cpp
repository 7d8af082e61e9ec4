// Three service processes on one shared store, behind HAProxy on loopback, as a service
// that outgrew one machine runs: a flow may start on one and end on another, a refresh is
// made once for all of them, and one dying takes nothing stored with it.

#include "service/service_fixture.hpp"
#include "store/backends.hpp"
#include "support/child_process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <latch>
#include <map>
#include <mutex>
#include <thread>

namespace oauth::testing {
namespace {

/// A port nothing listens on now, for a program that binds it itself.
unsigned short free_port() {
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

/// Debian's HAProxy in front of the instances: round robin per request, at most 128
/// connections to each (the rest wait in the proxy's queue), a request refused by a dead
/// instance sent to another, and an instance that refuses its health check three times in
/// a row (600 ms) taken out. A slow answer is no refusal: under a burst /health waits in
/// line with everything else.
class Proxy {
public:
  Proxy(std::string const& dir, unsigned short port, std::vector<unsigned short> const& backends) : port_(port) {
    auto const config = dir + "/haproxy.cfg";
    std::ofstream out(config);
    out << "global\n  maxconn 8192\n"
        << "defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n"
        << "  timeout queue 30s\n  timeout check 5s\n"
        << "  retries 2\n  option redispatch\n  option forwardfor\n"
        << "frontend public\n  bind 127.0.0.1:" << port_ << "\n  default_backend services\n"
        << "backend services\n  balance roundrobin\n  option httpchk GET /health\n";
    for (std::size_t i = 0; i < backends.size(); ++i)
      out << "  server s" << i << " 127.0.0.1:" << backends[i] << " maxconn 128 check inter 200ms fall 3 rise 1\n";
    out.close();
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"/usr/sbin/haproxy", "-db", "-f", config}, dir);
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (HttpClient(port_).get("/health").status == 200) return;
      } catch (std::exception const&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("haproxy did not start");
  }

  unsigned short port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
  unsigned short port_;
  std::unique_ptr<ChildProcess> process_;
};

class ScaleOut : public ServiceTest {
protected:
  /// Three instances on `store_url` behind a proxy, Google's mock issuing tokens that live
  /// two seconds (so one can be waited out) until told otherwise.
  void start_all(std::string const& store_url) {
    google_ = std::make_unique<MockProvider>(
        MockOptions{.flavor = Flavor::google, .tls = &mocks().tls, .access_token_lifetime = std::chrono::seconds(2)});
    env_ = environment();
    env_["OAUTH_STORE_URL"] = store_url;
    env_["OAUTH_GOOGLE_ENDPOINT_BASE"] = google_->base_url();
    // Browsers come back through the proxy, whichever instance sent them away.
    auto const proxy_port = free_port();
    env_["OAUTH_PUBLIC_URL"] = "http://127.0.0.1:" + std::to_string(proxy_port);
    // Every request reaches the instances from the proxy, which names the client in
    // X-Forwarded-For; the test's clients each write an address of their own first.
    env_["OAUTH_TRUSTED_PROXIES"] = "127.0.0.1";
    std::vector<unsigned short> ports;
    for (int i = 0; i < 3; ++i) {
      auto env = env_;
      env["OAUTH_ACCESS_LOG"] = dir() + "/access-" + std::to_string(i) + ".log";
      instances_.push_back(std::make_unique<ServiceProcess>(env, env.at("OAUTH_ACCESS_LOG")));
      ports.push_back(instances_.back()->port());
    }
    proxy_ = std::make_unique<Proxy>(dir(), proxy_port, ports);
  }

  void TearDown() override {
    proxy_.reset();
    instances_.clear();
    google_.reset();
    ServiceTest::TearDown();
  }

  /// Connects `user` at `provider`: authorized on one instance, called back on another.
  std::string connect_across(std::string const& user, std::size_t first, std::size_t second,
                             std::string const& provider = "google") {
    CookieJar jar;
    auto started = instances_[first]->client().send(
        {"POST",
         "/api/v1/oauth/" + provider + "/authorize",
         {{"Authorization", "Bearer " + bearer("acme", user)}, {"Content-Type", "application/json"}},
         "{}"});
    jar.take(started);
    EXPECT_EQ(started.status, 200) << started.body;
    auto const url = std::string(json_of(started).at("authorization_url").as_string());
    auto const answer = consent(url, &mocks().tls);
    auto const prefix = env_.at("OAUTH_PUBLIC_URL");
    EXPECT_TRUE(answer.location.starts_with(prefix)) << answer.location;
    auto reply =
        instances_[second]->client().send({"GET", answer.location.substr(prefix.size()), {{"Cookie", jar.header()}}});
    auto const landing = query_params(reply.header("location"));
    EXPECT_EQ(reply.status, 302) << reply.body;
    return landing.contains("connected") ? landing.at("connected") : "";
  }

  /// A token read through the proxy by the client at 10.1.0.0 + `client`.
  HttpReply token_through_proxy(std::string const& user, std::string const& id, int client) const {
    auto const address = "10.1." + std::to_string(client / 256) + "." + std::to_string(client % 256);
    return HttpClient(proxy_->port())
        .send({"GET",
               "/api/v1/oauth/integrations/" + id + "/token",
               {{"Authorization", "Bearer " + server_bearer("acme", user)}, {"X-Forwarded-For", address}}});
  }

  static std::string access_token_of(HttpReply const& reply) {
    auto const body = json_of(reply);
    return body.contains("access_token") ? std::string(body.at("access_token").as_string()) : "";
  }

  void run(std::string const& store_url) {
    start_all(store_url);
    if (HasFatalFailure()) return;

    // A flow started on one instance completes on another; a third hands out its token.
    auto const ada = connect_across("ada", 0, 1);
    ASSERT_FALSE(ada.empty());
    auto const first =
        instances_[2]->client().get("/api/v1/oauth/integrations/" + ada + "/token", server_bearer("acme", "ada"));
    ASSERT_EQ(first.status, 200) << first.body;

    // Once the token is due, a thousand concurrent reads over the three make one refresh.
    // The new token lives an hour, so that however long the thousand take, it stays fresh.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    google_->set_access_token_lifetime(std::chrono::hours(1));
    auto const refreshes_before = google_->requests("token.refresh_token");
    constexpr int readers = 1000;
    std::vector<std::string> tokens(readers);
    std::atomic<int> failures{0};
    std::mutex failure_mutex;
    std::map<std::string, int> failure_kinds;
    auto const failed_with = [&](std::string kind) {
      ++failures;
      std::lock_guard lock(failure_mutex);
      ++failure_kinds[std::move(kind)];
    };
    {
      std::latch ready(readers);
      std::vector<std::jthread> threads;
      for (int i = 0; i < readers; ++i)
        threads.emplace_back([&, i] {
          ready.arrive_and_wait();
          try {
            auto reply = token_through_proxy("ada", ada, i);
            if (reply.status == 200)
              tokens[i] = access_token_of(reply);
            else
              failed_with(std::to_string(reply.status) + " " + reply.body.substr(0, 200));
          } catch (std::exception const& e) {
            failed_with(e.what());
          }
        });
    }
    EXPECT_EQ(failures.load(), 0);
    for (auto const& [kind, count] : failure_kinds) ADD_FAILURE() << count << " x " << kind;
    EXPECT_EQ(google_->requests("token.refresh_token") - refreshes_before, 1);
    EXPECT_NE(tokens[0], access_token_of(first));
    EXPECT_EQ(std::count(tokens.begin(), tokens.end(), tokens[0]), readers);

    // One instance killed under load: only requests in flight on it fail, and nothing
    // stored is lost.
    failure_kinds.clear();
    std::vector<std::string> users, ids;
    for (int i = 0; i < 6; ++i) {
      users.push_back("user-" + std::to_string(i));
      ids.push_back(
          connect_across(users.back(), static_cast<std::size_t>(i % 3), static_cast<std::size_t>((i + 1) % 3)));
      ASSERT_FALSE(ids.back().empty());
    }
    constexpr int loaders = 8;
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0}, failed{0}, failed_after_settling{0};
    std::atomic<bool> settled{false};
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < loaders; ++t)
        threads.emplace_back([&, t] {
          for (int n = 0; !stop; ++n) {
            auto const k = static_cast<std::size_t>((t + n) % 6);
            std::string failure;
            try {
              auto reply = token_through_proxy(users[k], ids[k], readers + t);
              if (reply.status != 200) failure = std::to_string(reply.status) + " " + reply.body.substr(0, 200);
            } catch (std::exception const& e) {
              failure = e.what();
            }
            ++(failure.empty() ? answered : failed);
            if (failure.empty()) continue;
            std::lock_guard lock(failure_mutex);
            ++failure_kinds[(settled ? "settled: " : "") + failure];
            if (settled) ++failed_after_settling;
          }
        });
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      instances_[1]->kill_now();
      // The proxy's health check takes the dead instance out within three of its checks.
      std::this_thread::sleep_for(std::chrono::milliseconds(1000));
      settled = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1000));
      stop = true;
    }
    std::printf("killed under load: %d answered, %d failed (%d loaders)\n", answered.load(), failed.load(), loaders);
    EXPECT_GT(answered.load(), 100);
    EXPECT_LE(failed.load(), loaders);
    EXPECT_EQ(failed_after_settling.load(), 0);
    for (auto const& [kind, count] : failure_kinds) std::printf("  %d x %s\n", count, kind.c_str());
    for (std::size_t k = 0; k < ids.size(); ++k) {
      auto reply = token_through_proxy(users[k], ids[k], 0);
      EXPECT_EQ(reply.status, 200) << users[k] << ": " << reply.body;
    }
    // The instances saw the clients, not the proxy.
    auto const lines = instances_[0]->log_lines();
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](auto const& line) {
      return line.contains("client_ip") && line.at("client_ip").as_string().starts_with("10.1.");
    }));
    // Before the store's servers go.
    proxy_.reset();
    instances_.clear();
  }

  /// Three instances on `store_url` with tight limits, each called directly, as the proxy
  /// would call it: every request names its client in X-Forwarded-For. What they let by,
  /// together, is counted at the client and, for Notion's pacing, at the mock.
  void run_limits(std::string const& store_url) {
    env_ = environment();
    env_["OAUTH_STORE_URL"] = store_url;
    env_["OAUTH_PUBLIC_URL"] = "http://127.0.0.1:" + std::to_string(free_port());
    env_["OAUTH_TRUSTED_PROXIES"] = "127.0.0.1";
    // Twenty at once, then one a minute: longer than the test takes.
    std::ofstream(dir() + "/limits.json") << R"({"rate_limit_per_user_per_minute": 1, "rate_limit_per_user_burst": 20,
      "rate_limit_per_address_per_minute": 1, "rate_limit_per_address_burst": 20})";
    env_["OAUTH_SERVICE_CONFIG"] = dir() + "/limits.json";
    for (int i = 0; i < 3; ++i) {
      auto env = env_;
      env["OAUTH_ACCESS_LOG"] = dir() + "/access-" + std::to_string(i) + ".log";
      instances_.push_back(std::make_unique<ServiceProcess>(env, env.at("OAUTH_ACCESS_LOG")));
    }
    auto const call = [&](std::size_t instance, std::string const& target, std::string const& user,
                          std::string const& client) {
      return instances_[instance % 3]->client().send(
          {"GET", target, {{"Authorization", "Bearer " + bearer("acme", user)}, {"X-Forwarded-For", client}}});
    };
    auto const granted = [](std::vector<int> const& statuses) {
      for (int status : statuses) EXPECT_TRUE(status == 200 || status == 429) << status;
      return std::count(statuses.begin(), statuses.end(), 200);
    };

    // One user, sixty requests from sixty addresses over the three: twenty in all, not
    // twenty an instance.
    std::vector<int> by_user;
    for (int i = 0; i < 60; ++i)
      by_user.push_back(call(i, "/api/v1/oauth/me", "busy-user", "10.3.0." + std::to_string(i)).status);
    EXPECT_EQ(granted(by_user), 20);

    // One address, sixty users: the same.
    std::vector<int> by_address;
    for (int i = 0; i < 60; ++i)
      by_address.push_back(call(i, "/api/v1/oauth/me", "user-" + std::to_string(i), "10.4.0.1").status);
    EXPECT_EQ(granted(by_address), 20);

    // Notion's pacing (three a second, six at once) is one credential's across the three:
    // four listings through each, one search request apiece, reach Notion six at once and
    // then one every third of a second, where each instance alone would send its four at
    // once.
    auto& notion = mocks()["notion"];
    notion.set_api_items(2);
    auto const ada = connect_across("ada", 0, 1, "notion");
    ASSERT_FALSE(ada.empty());
    auto const before = notion.api_request_times().size();
    std::vector<std::jthread> listers;
    std::atomic<int> listed{0};
    for (std::size_t instance = 0; instance < 3; ++instance)
      listers.emplace_back([&, instance] {
        for (int n = 0; n < 4; ++n) {
          auto reply =
              call(instance, "/api/v1/oauth/integrations/" + ada + "/databases?refresh=true", "ada", "10.5.0.1");
          EXPECT_EQ(reply.status, 200) << reply.body;
          if (reply.status == 200) ++listed;
        }
      });
    listers.clear();
    EXPECT_EQ(listed.load(), 12);
    auto times = notion.api_request_times();
    times.erase(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(before));
    ASSERT_EQ(times.size(), 12u);
    std::sort(times.begin(), times.end());
    // Six after the first come a third of a second apart: two seconds at least. Each is
    // timed as it reaches the mock, at its slot or later; the first may come late (a
    // busy machine under the sanitizers: 52 ms once), which shortens every gap measured
    // from it, so the gaps allow 100 ms for it. Sent at once, the gaps would be nothing.
    EXPECT_GE(times.back() - times.front(), std::chrono::milliseconds(1800));
    for (std::size_t i = 6; i < times.size(); ++i)
      EXPECT_GE(times[i] - times.front(), std::chrono::milliseconds(333) * (i - 5) - std::chrono::milliseconds(100))
          << i;
    instances_.clear();
  }

  std::unique_ptr<MockProvider> google_;
  Environment env_;
  std::vector<std::unique_ptr<ServiceProcess>> instances_;
  std::unique_ptr<Proxy> proxy_;
};

TEST_F(ScaleOut, ThreeInstancesOnOnePostgreSQL) {
  test::PrivateServers servers;
  run(servers.servers().postgres_url());
}

TEST_F(ScaleOut, ThreeInstancesOnOneRedis) {
  test::PrivateServers servers;
  run(servers.servers().value("OAUTH_TEST_REDIS_URL") + "?prefix=scale");
}

TEST_F(ScaleOut, RateLimitsAndNotionsPacingHoldAcrossInstancesOnPostgreSQL) {
  test::PrivateServers servers;
  run_limits(servers.servers().postgres_url());
}

TEST_F(ScaleOut, RateLimitsAndNotionsPacingHoldAcrossInstancesOnRedis) {
  test::PrivateServers servers;
  run_limits(servers.servers().value("OAUTH_TEST_REDIS_URL") + "?prefix=limits");
}

}  // namespace
}  // namespace oauth::testing
