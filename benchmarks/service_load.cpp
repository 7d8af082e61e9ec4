// Load on the OAuth service over loopback, against a floor measured in the same run.
//
// Starts the mock providers (approving at once) and the service (SQLite store, rate
// limits off), then holds N keep-alive connections, each sending requests back to back,
// through these phases:
//   floor      GET /health of a bare Boost.Beast server (this program, --serve-floor):
//              what the machine, the generator and HTTP cost with no service at all
//   health     GET /health (a store read and a key check)
//   authorize  POST /api/v1/oauth/google/authorize (a state written to the store)
//   flow       authorize, consent at the mock, the callback: one whole connection made
//   mixed      all three at once, for the long hold
// Each phase reports requests per second, p50 and p99; the service's memory (anonymous
// and resident) is sampled every second. Any unexpected answer or broken connection is
// an error. Prints a table and writes JSON.
//
//   oauth_service_load --service PATH --mocks PATH [--connections N] [--seconds S]
//                      [--hold-seconds S] [--json FILE]
//   oauth_service_load --serve-floor THREADS     (what the floor phase runs)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <openssl/evp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

namespace {

void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// ---- the floor: the least an HTTP server on Beast can do ---------------------------

int serve_floor(unsigned threads) {
  raise_descriptor_limit();
  asio::io_context context;
  tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
  std::cout << acceptor.local_endpoint().port() << std::endl;
  auto session = [](tcp::socket socket) -> asio::awaitable<void> {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      auto [read_error, n] = co_await http::async_read(stream, buffer, request, as_result);
      if (read_error) co_return;
      http::response<http::string_body> response{http::status::ok, 11};
      response.set(http::field::content_type, "application/json");
      response.body() = R"({"status":"ok"})";
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [write_error, w] = co_await http::async_write(stream, response, as_result);
      if (write_error) co_return;
    }
  };
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        for (;;) {
          auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(context), as_result);
          if (ec) co_return;
          asio::co_spawn(socket.get_executor(), session(std::move(socket)), asio::detached);
        }
      },
      asio::detached);
  asio::signal_set signals(context, SIGTERM, SIGINT);
  signals.async_wait([&](auto, int) { context.stop(); });
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { context.run(); });
  context.run();
  for (auto& t : pool) t.join();
  return 0;
}

// ---- the programs under load ------------------------------------------------------

struct Child {
  pid_t pid = -1;
  ~Child() { stop(); }
  void stop() {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
  }
};

/// Starts `argv` with `env` added, its standard output to `out`.
pid_t spawn(std::vector<std::string> argv, std::map<std::string, std::string> const& env, std::string const& out) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  for (auto const& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
  if (freopen(out.c_str(), "w", stdout) == nullptr) _exit(127);
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

std::string wait_for_line(std::string const& file, std::string const& containing) {
  for (int i = 0; i < 600; ++i) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
      if (line.find(containing) != std::string::npos) return line;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("no \"" + containing + "\" in " + file);
}

/// kB of a /proc/PID/status field (VmRSS, RssAnon).
long memory_kb(pid_t pid, std::string const& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
  return -1;
}

std::string hs256_token(std::string const& secret, std::string const& user) {
  auto b64 = [](std::string const& in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<unsigned char const*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
  };
  auto const exp = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(2))
                       .count();
  auto input = b64(R"({"alg":"HS256","typ":"JWT"})") + "." +
               b64(R"({"sub":")" + user + R"(","tenant_id":"load","exp":)" + std::to_string(exp) + "}");
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<unsigned char const*>(input.data()), input.size(), mac, sizeof mac, &length);
  return input + "." + b64(std::string(reinterpret_cast<char*>(mac), length));
}

// ---- the load -----------------------------------------------------------------------

enum class Kind { health, authorize, flow };

struct Tally {
  std::vector<std::uint32_t> micros;  // one per request
  std::uint64_t errors = 0;
  std::uint64_t flows = 0;
  std::string first_error;
};

struct Target {
  unsigned short service_port = 0;
  unsigned short mock_port = 0;
  std::string bearer;
};

class Connection {
public:
  Connection(asio::any_io_executor ex, unsigned short port) : stream_(ex), port_(port) {}

  asio::awaitable<std::optional<http::response<http::string_body>>> send(
      http::verb verb, std::string const& target, std::vector<std::pair<std::string, std::string>> const& headers) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!open_) {
        auto [ec] = co_await stream_.socket().async_connect({asio::ip::make_address("127.0.0.1"), port_}, as_result);
        if (ec) co_return std::nullopt;
        open_ = true;
      }
      http::request<http::empty_body> request{verb, target, 11};
      request.set(http::field::host, "127.0.0.1");
      for (auto const& [name, value] : headers) request.set(name, value);
      if (verb == http::verb::post) request.set(http::field::content_length, "0");
      stream_.expires_after(std::chrono::seconds(30));
      auto [write_error, w] = co_await http::async_write(stream_, request, as_result);
      http::response<http::string_body> response;
      boost::system::error_code read_error;
      if (!write_error)
        std::tie(read_error, std::ignore) = co_await http::async_read(stream_, buffer_, response, as_result);
      if (!write_error && !read_error) {
        if (!response.keep_alive()) close();
        co_return response;
      }
      close();
    }
    co_return std::nullopt;
  }

  void close() {
    boost::system::error_code ignored;
    stream_.socket().close(ignored);  // the next connect opens it again
    buffer_.clear();
    open_ = false;
  }

private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  unsigned short port_;
  bool open_ = false;
};

std::string query_value(std::string_view url, std::string_view name) {
  auto parsed = boost::urls::parse_uri_reference(url);
  if (!parsed) return {};
  auto it = parsed->params().find(name);
  return it == parsed->params().end() ? std::string() : std::string((*it).value);
}

/// One client: requests of `kinds`, in turn, back to back until `until`.
asio::awaitable<void> client(Target const& target, std::vector<Kind> kinds, SteadyClock::time_point until,
                             Tally& tally) {
  auto ex = co_await asio::this_coro::executor;
  Connection service(ex, target.service_port);
  Connection provider(ex, target.mock_port);
  // GCC 12 mishandles temporaries in co_await expressions: every argument is a named local.
  using Headers = std::vector<std::pair<std::string, std::string>>;
  Headers const none;
  Headers const bearer{{"Authorization", "Bearer " + target.bearer}};
  std::string const health = "/health";
  std::string const authorize = "/api/v1/oauth/google/authorize";
  auto fail = [&](std::string what) {
    if (tally.errors++ == 0) tally.first_error = std::move(what);
  };
  auto timed = [&](SteadyClock::time_point started) {
    tally.micros.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started).count()));
  };
  for (std::size_t turn = 0; SteadyClock::now() < until; ++turn) {
    auto const kind = kinds[turn % kinds.size()];
    auto started = SteadyClock::now();
    if (kind == Kind::health) {
      auto reply = co_await service.send(http::verb::get, health, none);
      if (!reply || reply->result_int() != 200)
        fail(reply ? reply->body() : "no answer to /health");
      else
        timed(started);
      continue;
    }
    auto authorized = co_await service.send(http::verb::post, authorize, bearer);
    if (!authorized || authorized->result_int() != 200) {
      fail(authorized ? authorized->body() : "no answer to authorize");
      continue;
    }
    timed(started);
    if (kind == Kind::authorize) continue;

    std::string cookie;
    for (auto const& field : *authorized)
      if (field.name() == http::field::set_cookie) {
        auto const value = std::string(field.value());
        cookie += (cookie.empty() ? "" : "; ") + value.substr(0, value.find(';'));
      }
    auto const url = std::string(json::parse(authorized->body()).at("authorization_url").as_string());
    auto const path = url.substr(url.find('/', url.find("://") + 3));
    started = SteadyClock::now();
    auto consented = co_await provider.send(http::verb::get, path, none);
    if (!consented || consented->result_int() != 302) {
      fail(consented ? consented->body() : "no answer from the mock");
      continue;
    }
    timed(started);
    auto const location = std::string((*consented)[http::field::location]);
    auto const callback = location.substr(location.find("/api/"));
    Headers const with_cookie{{"Cookie", cookie}};
    started = SteadyClock::now();
    auto landed = co_await service.send(http::verb::get, callback, with_cookie);
    if (!landed || landed->result_int() != 302 ||
        query_value(std::string((*landed)[http::field::location]), "connected").empty()) {
      fail(landed ? std::string((*landed)[http::field::location]) : "no answer to the callback");
      continue;
    }
    timed(started);
    ++tally.flows;
  }
}

struct PhaseResult {
  std::string name;
  double seconds = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint64_t flows = 0;
  double p50_ms = 0, p99_ms = 0;
  std::string first_error;
  long anon_kb_start = 0, anon_kb_end = 0, anon_kb_max = 0, rss_kb_end = 0;
  std::vector<long> anon_kb_samples = {};  // one a second
  double rps() const { return static_cast<double>(requests) / seconds; }
};

PhaseResult run_phase(std::string name, Target const& target, std::vector<Kind> kinds, int connections,
                      std::chrono::seconds length, pid_t watched) {
  asio::io_context context;
  auto const until = SteadyClock::now() + length;
  std::vector<Tally> tallies(static_cast<std::size_t>(connections));
  for (int i = 0; i < connections; ++i)
    asio::co_spawn(context, client(target, kinds, until, tallies[static_cast<std::size_t>(i)]), asio::detached);
  PhaseResult result;
  result.name = std::move(name);
  result.anon_kb_start = watched > 0 ? memory_kb(watched, "RssAnon") : 0;
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      if (watched <= 0) continue;
      result.anon_kb_samples.push_back(memory_kb(watched, "RssAnon"));
      result.anon_kb_max = std::max(result.anon_kb_max, result.anon_kb_samples.back());
    }
  });
  auto const started = SteadyClock::now();
  context.run();
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  done = true;
  sampler.join();
  result.anon_kb_end = watched > 0 ? memory_kb(watched, "RssAnon") : 0;
  result.rss_kb_end = watched > 0 ? memory_kb(watched, "VmRSS") : 0;
  std::vector<std::uint32_t> all;
  for (auto& tally : tallies) {
    all.insert(all.end(), tally.micros.begin(), tally.micros.end());
    result.errors += tally.errors;
    result.flows += tally.flows;
    if (result.first_error.empty()) result.first_error = tally.first_error;
  }
  result.requests = all.size();
  if (!all.empty()) {
    auto percentile = [&](double p) {
      auto nth = all.begin() + static_cast<std::ptrdiff_t>(p * static_cast<double>(all.size() - 1));
      std::nth_element(all.begin(), nth, all.end());
      return *nth / 1000.0;
    };
    result.p50_ms = percentile(0.50);
    result.p99_ms = percentile(0.99);
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "--serve-floor") return serve_floor(static_cast<unsigned>(std::stoi(args[1])));
  std::string service_binary, mocks_binary, json_file;
  int connections = 1000;
  std::chrono::seconds phase{20}, hold{60};
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--service")
      service_binary = args[i + 1];
    else if (args[i] == "--mocks")
      mocks_binary = args[i + 1];
    else if (args[i] == "--connections")
      connections = std::stoi(args[i + 1]);
    else if (args[i] == "--seconds")
      phase = std::chrono::seconds(std::stoi(args[i + 1]));
    else if (args[i] == "--hold-seconds")
      hold = std::chrono::seconds(std::stoi(args[i + 1]));
    else if (args[i] == "--json")
      json_file = args[i + 1];
  }
  if (service_binary.empty() || mocks_binary.empty()) {
    std::cerr << "usage: oauth_service_load --service PATH --mocks PATH [--connections N] [--seconds S] "
                 "[--hold-seconds S] [--json FILE]\n";
    return 2;
  }
  raise_descriptor_limit();
  auto const dir = std::filesystem::temp_directory_path() / ("oauth-load-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  unsigned const threads = 2;

  Child floor, mocks, service;
  floor.pid = spawn({argv[0], "--serve-floor", std::to_string(threads)}, {}, (dir / "floor.out").string());
  mocks.pid = spawn({mocks_binary, "--auto-approve", "--env-file", (dir / "mocks.env").string()}, {},
                    (dir / "mocks.out").string());
  wait_for_line((dir / "mocks.out").string(), "google");
  std::map<std::string, std::string> env{{"OAUTH_DEVELOPMENT", "1"},
                                         {"OAUTH_SERVICE_PORT", "0"},
                                         {"OAUTH_SERVICE_THREADS", std::to_string(threads)},
                                         {"OAUTH_JWT_SECRET", "load-test-bearer-secret-0123456789abcdef"},
                                         {"OAUTH_ENCRYPTION_KEY", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="},
                                         {"OAUTH_STORE_URL", "sqlite:" + (dir / "tokens.db").string()},
                                         {"OAUTH_ACCESS_LOG", (dir / "access.log").string()},
                                         {"OAUTH_SERVICE_CONFIG", (dir / "service.json").string()}};
  std::ofstream(dir / "service.json")
      << R"({"rate_limit_per_user_per_minute": 0, "rate_limit_per_address_per_minute": 0,)"
         R"( "max_connections_per_address": 100000})";
  std::ifstream mock_env(dir / "mocks.env");
  unsigned short mock_port = 0;
  for (std::string line; std::getline(mock_env, line);) {
    auto const eq = line.find('=');
    env[line.substr(0, eq)] = line.substr(eq + 1);
    if (line.starts_with("OAUTH_GOOGLE_ENDPOINT_BASE="))
      mock_port = static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
  }
  service.pid = spawn({service_binary}, env, (dir / "service.out").string());
  auto const listening = json::parse(wait_for_line((dir / "access.log").string(), "\"listening\""));
  Target target{static_cast<unsigned short>(listening.at("port").as_int64()), mock_port,
                hs256_token(env["OAUTH_JWT_SECRET"], "load-user")};
  Target floor_target{static_cast<unsigned short>(std::stoi(wait_for_line((dir / "floor.out").string(), ""))), 0, ""};

  std::vector<PhaseResult> results;
  results.push_back(
      run_phase("floor /health (bare Beast)", floor_target, {Kind::health}, connections, phase, floor.pid));
  results.push_back(run_phase("health", target, {Kind::health}, connections, phase, service.pid));
  results.push_back(run_phase("authorize", target, {Kind::authorize}, connections, phase, service.pid));
  results.push_back(run_phase("callback flow", target, {Kind::flow}, connections, phase, service.pid));
  results.push_back(
      run_phase("mixed hold", target, {Kind::health, Kind::authorize, Kind::flow}, connections, hold, service.pid));
  service.stop();

  std::printf("%d connections on loopback; floor and service each on %u threads\n", connections, threads);
  std::printf("%-28s %10s %9s %9s %8s %8s %10s\n", "phase", "req/s", "p50 ms", "p99 ms", "errors", "flows/s",
              "anon MiB");
  json::array out;
  for (auto const& r : results) {
    std::printf("%-28s %10.0f %9.2f %9.2f %8llu %8.0f %5.1f->%.1f\n", r.name.c_str(), r.rps(), r.p50_ms, r.p99_ms,
                static_cast<unsigned long long>(r.errors), static_cast<double>(r.flows) / r.seconds,
                static_cast<double>(r.anon_kb_start) / 1024, static_cast<double>(r.anon_kb_end) / 1024);
    if (r.errors) std::printf("    first error: %s\n", r.first_error.substr(0, 200).c_str());
    out.push_back({{"phase", r.name},
                   {"seconds", r.seconds},
                   {"requests", r.requests},
                   {"requests_per_second", r.rps()},
                   {"p50_ms", r.p50_ms},
                   {"p99_ms", r.p99_ms},
                   {"errors", r.errors},
                   {"flows", r.flows},
                   {"anon_kb_start", r.anon_kb_start},
                   {"anon_kb_end", r.anon_kb_end},
                   {"anon_kb_max", r.anon_kb_max},
                   {"rss_kb_end", r.rss_kb_end},
                   {"anon_kb_samples", json::array(r.anon_kb_samples.begin(), r.anon_kb_samples.end())}});
  }
  std::printf("health against the floor: %.2fx the floor's throughput, p99 %.2fx\n",
              results[1].rps() / results[0].rps(), results[1].p99_ms / results[0].p99_ms);
  auto const& hold_phase = results.back();
  std::printf("mixed hold: anonymous memory %.1f MiB at start, %.1f at most, %.1f at the end; every 10 s:",
              static_cast<double>(hold_phase.anon_kb_start) / 1024, static_cast<double>(hold_phase.anon_kb_max) / 1024,
              static_cast<double>(hold_phase.anon_kb_end) / 1024);
  for (std::size_t i = 9; i < hold_phase.anon_kb_samples.size(); i += 10)
    std::printf(" %.1f", static_cast<double>(hold_phase.anon_kb_samples[i]) / 1024);
  std::printf("\n");
  if (!json_file.empty())
    std::ofstream(json_file) << json::serialize(json::object{{"connections", connections}, {"phases", out}});
  std::filesystem::remove_all(dir);
  std::uint64_t errors = 0;
  for (auto const& r : results) errors += r.errors;
  return errors == 0 ? 0 : 1;
}
