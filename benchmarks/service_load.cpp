// Load on the OAuth service over loopback, against floors measured in the same run.
//
// Starts the mock providers (approving at once), then, for each store asked for (SQLite,
// and PostgreSQL and Redis from the servers the tests start: OAUTH_DB_SERVERS; memory,
// to tell the store's share from the rest) and each
// number of connections, a fresh service on a fresh store (rate limits off), and holds N
// keep-alive connections, each sending requests back to back, through these phases:
//   floor      GET /health of a bare Boost.Beast server (this program, --serve-floor):
//              what the machine, the generator and HTTP cost with no service at all
//   health     GET /health (a store read and a key check)
//   authorize  POST /api/v1/oauth/google/authorize (a state written to the store)
//   flow       authorize, consent at the mock, the callback: one whole connection made;
//              each connection connects a user of its own, and these are the
//              integrations of the next two phases
//   mock alone what a flow asks of the mock provider (consent, code exchange, userinfo),
//              sent straight to it: the mock's own ceiling, the floor of the flow phase
//   token      GET /api/v1/oauth/integrations/{id}/token as a server would, across every
//              integration in turn: fresh tokens, decrypted and handed out
//   refresh    POST /api/v1/oauth/integrations/{id}/refresh: a refresh at the mock each
//   mixed hold health, authorize and flows at once, on the largest N of each store
// Each phase reports requests per second, p50 and p99 (the flow phase also for each of its
// three requests), the service's own requests to the mock and their mean time (from its
// metrics), the service's CPU (cores busy) and its memory (anonymous and resident,
// sampled every second), and the CPU a request costs the service, the mock and this
// program, with the share of the machine left idle: on one machine the three share its
// cores, and a phase whose machine has none idle is bound by their sum. Any unexpected
// answer or broken connection is an error. Prints a table and writes JSON.
//
//   oauth_service_load --service PATH --mocks PATH [--stores sqlite,postgres,redis,memory]
//                      [--connections 200,1000] [--seconds S] [--hold-seconds S] [--json FILE]
//   oauth_service_load --serve-floor THREADS     (what the floor phase runs)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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
  Child() = default;
  Child(Child const&) = delete;
  Child& operator=(Child const&) = delete;
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
  execvp(args[0], args.data());
  _exit(127);
}

/// Runs `argv` to its end; throws when it fails.
void run(std::vector<std::string> argv, std::string const& out) {
  int status = 0;
  waitpid(spawn(argv, {}, out), &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(argv[0] + " failed; see " + out);
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

/// Seconds of CPU the process has used, user and system.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto const after_name = text.rfind(')');
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  unsigned long long user = 0, system = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) user = std::stoull(field);
    if (i == 15) system = std::stoull(field);
  }
  return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// Seconds of CPU this program (the load) has used, user and system.
double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto const seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// The machine's CPU time so far, in ticks: all of it, and the part no one used.
struct MachineTicks {
  unsigned long long total = 0, idle = 0;
};

MachineTicks machine_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;  // the first line sums every core: user nice system idle iowait irq softirq steal
  MachineTicks ticks;
  unsigned long long value = 0;
  for (int i = 0; i < 8 && in >> value; ++i) {
    ticks.total += value;
    if (i == 3 || i == 4) ticks.idle += value;
  }
  return ticks;
}

std::string base64url(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<unsigned char const*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string hs256_token(std::string const& secret, std::string const& user) {
  auto const exp = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(2))
                       .count();
  auto input = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
               base64url(R"({"sub":")" + user + R"(","tenant_id":"load","exp":)" + std::to_string(exp) + "}");
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<unsigned char const*>(input.data()), input.size(), mac, sizeof mac, &length);
  return input + "." + base64url(std::string(reinterpret_cast<char*>(mac), length));
}

/// A PKCE verifier and its S256 challenge (RFC 7636).
std::pair<std::string, std::string> pkce_pair() {
  unsigned char random[32];
  RAND_bytes(random, sizeof random);
  auto verifier = base64url(std::string(reinterpret_cast<char*>(random), sizeof random));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest, &length, EVP_sha256(), nullptr);
  return {verifier, base64url(std::string(reinterpret_cast<char*>(digest), length))};
}

// ---- the load -----------------------------------------------------------------------

enum class Kind { health, authorize, flow, mock_flow, token, refresh };

/// The requests a flow is made of, timed each on its own as well.
enum class Step : std::size_t { authorize, consent, callback };
constexpr std::array<char const*, 3> step_names{"authorize", "consent at the mock", "callback"};

struct Tally {
  std::vector<std::uint32_t> micros;                  // one per request
  std::array<std::vector<std::uint32_t>, 3> steps{};  // a flow's, by Step
  std::uint64_t errors = 0;
  std::uint64_t flows = 0;
  std::string first_error;
};

/// A user of the load: the bearer tokens it calls with and the integration it connected.
struct LoadUser {
  std::string bearer;         // as the user, on the user's routes
  std::string server_bearer;  // as a server acting for the user, on the token route
  std::string integration_id = {};
};

/// What a flow asks of the mock, to be asked of it straight.
struct MockFlow {
  boost::urls::url authorize;  // the service's own authorization URL, its state and challenge to be replaced
  std::string client_id, client_secret, redirect_uri;
};

struct Target {
  unsigned short service_port = 0;
  unsigned short mock_port = 0;
  std::vector<LoadUser>* users = nullptr;
  std::vector<std::size_t> connected = {};  // the users with an integration
  MockFlow mock_flow = {};
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class Connection {
public:
  Connection(asio::any_io_executor ex, unsigned short port) : stream_(ex), port_(port) {}

  asio::awaitable<std::optional<http::response<http::string_body>>> send(http::verb verb, std::string const& target,
                                                                         Headers const& headers,
                                                                         std::string const& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!open_) {
        auto [ec] = co_await stream_.socket().async_connect({asio::ip::make_address("127.0.0.1"), port_}, as_result);
        if (ec) co_return std::nullopt;
        open_ = true;
      }
      http::request<http::string_body> request{verb, target, 11};
      request.set(http::field::host, "127.0.0.1");
      for (auto const& [name, value] : headers) request.set(name, value);
      request.body() = body;
      if (verb == http::verb::post) request.prepare_payload();
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

std::string path_of(std::string const& url) { return url.substr(url.find('/', url.find("://") + 3)); }

/// One client, the `index`th: requests of `kinds`, in turn, back to back until `until`.
asio::awaitable<void> client(Target const& target, std::size_t index, std::vector<Kind> kinds,
                             SteadyClock::time_point until, Tally& tally) {
  auto ex = co_await asio::this_coro::executor;
  Connection service(ex, target.service_port);
  Connection provider(ex, target.mock_port);
  static std::vector<LoadUser> no_users{{}};  // the floor's phase names nobody
  auto& users = target.users != nullptr ? *target.users : no_users;
  LoadUser& me = users[index % users.size()];
  // GCC 12 mishandles temporaries in co_await expressions: every argument is a named local.
  Headers const none;
  Headers const bearer{{"Authorization", "Bearer " + me.bearer}};
  std::string const empty;
  std::string const health = "/health";
  std::string const authorize = "/api/v1/oauth/google/authorize";
  auto fail = [&](std::string what) {
    if (tally.errors++ == 0) tally.first_error = std::move(what);
  };
  auto timed = [&](SteadyClock::time_point started, std::optional<Step> step = std::nullopt) {
    auto const micros = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started).count());
    tally.micros.push_back(micros);
    if (step && kinds.front() == Kind::flow) tally.steps[static_cast<std::size_t>(*step)].push_back(micros);
  };
  for (std::size_t turn = 0; SteadyClock::now() < until; ++turn) {
    auto const kind = kinds[turn % kinds.size()];
    auto started = SteadyClock::now();
    if (kind == Kind::health) {
      auto reply = co_await service.send(http::verb::get, health, none, empty);
      if (!reply || reply->result_int() != 200)
        fail(reply ? reply->body() : "no answer to /health");
      else
        timed(started);
      continue;
    }
    if (kind == Kind::token || kind == Kind::refresh) {
      // A server reads the tokens of every integration in turn; a user refreshes their own.
      bool const token = kind == Kind::token;
      auto const& owner = token ? users[target.connected[(index + turn) % target.connected.size()]]
                          : me.integration_id.empty() ? users[target.connected[index % target.connected.size()]]
                                                      : me;
      Headers const as{{"Authorization", "Bearer " + (token ? owner.server_bearer : owner.bearer)}};
      auto const path = "/api/v1/oauth/integrations/" + owner.integration_id + (token ? "/token" : "/refresh");
      auto reply = co_await service.send(token ? http::verb::get : http::verb::post, path, as, empty);
      auto const expected = token ? R"("refreshed":false)" : R"("refreshed":true)";
      if (!reply || reply->result_int() != 200 || reply->body().find(expected) == std::string::npos)
        fail(reply ? reply->body() : "no answer to " + path);
      else
        timed(started);
      continue;
    }
    if (kind == Kind::mock_flow) {
      auto const& flow = target.mock_flow;
      auto const [verifier, challenge] = pkce_pair();
      auto url = flow.authorize;
      url.params().set("state", "load-" + std::to_string(index));
      url.params().set("code_challenge", challenge);
      auto const consent_path = std::string(url.encoded_target());
      auto consented = co_await provider.send(http::verb::get, consent_path, none, empty);
      auto const code = consented ? query_value(std::string((*consented)[http::field::location]), "code") : "";
      if (code.empty()) {
        fail(consented ? consented->body() : "no answer from the mock's consent");
        continue;
      }
      boost::urls::url form;
      form.params().append({"grant_type", "authorization_code"});
      form.params().append({"code", code});
      form.params().append({"redirect_uri", flow.redirect_uri});
      form.params().append({"client_id", flow.client_id});
      form.params().append({"client_secret", flow.client_secret});
      form.params().append({"code_verifier", verifier});
      auto const body = std::string(form.encoded_query());
      Headers const as_form{{"Content-Type", "application/x-www-form-urlencoded"}};
      std::string const token_path = "/token";
      auto exchanged = co_await provider.send(http::verb::post, token_path, as_form, body);
      if (!exchanged || exchanged->result_int() != 200) {
        fail(exchanged ? exchanged->body() : "no answer from the mock's token endpoint");
        continue;
      }
      auto const access_token = std::string(json::parse(exchanged->body()).at("access_token").as_string());
      Headers const with_token{{"Authorization", "Bearer " + access_token}};
      std::string const userinfo_path = "/v1/userinfo";
      auto who = co_await provider.send(http::verb::get, userinfo_path, with_token, empty);
      if (!who || who->result_int() != 200) {
        fail(who ? who->body() : "no answer from the mock's userinfo");
        continue;
      }
      timed(started);
      ++tally.flows;
      continue;
    }
    auto authorized = co_await service.send(http::verb::post, authorize, bearer, empty);
    if (!authorized || authorized->result_int() != 200) {
      fail(authorized ? authorized->body() : "no answer to authorize");
      continue;
    }
    timed(started, Step::authorize);
    if (kind == Kind::authorize) continue;

    std::string cookie;
    for (auto const& field : *authorized)
      if (field.name() == http::field::set_cookie) {
        auto const value = std::string(field.value());
        cookie += (cookie.empty() ? "" : "; ") + value.substr(0, value.find(';'));
      }
    auto const path = path_of(std::string(json::parse(authorized->body()).at("authorization_url").as_string()));
    started = SteadyClock::now();
    auto consented = co_await provider.send(http::verb::get, path, none, empty);
    if (!consented || consented->result_int() != 302) {
      fail(consented ? consented->body() : "no answer from the mock");
      continue;
    }
    timed(started, Step::consent);
    auto const location = std::string((*consented)[http::field::location]);
    auto const callback = location.substr(location.find("/api/"));
    Headers const with_cookie{{"Cookie", cookie}};
    started = SteadyClock::now();
    auto landed = co_await service.send(http::verb::get, callback, with_cookie, empty);
    auto const connected =
        landed ? query_value(std::string((*landed)[http::field::location]), "connected") : std::string();
    if (!landed || landed->result_int() != 302 || connected.empty()) {
      fail(landed ? std::string((*landed)[http::field::location]) : "no answer to the callback");
      continue;
    }
    me.integration_id = connected;
    timed(started, Step::callback);
    ++tally.flows;
  }
}

/// The median and the 99th percentile of latencies, in milliseconds.
struct Percentiles {
  double p50_ms = 0, p99_ms = 0;
};

Percentiles percentiles(std::vector<std::uint32_t>& micros) {
  if (micros.empty()) return {};
  auto percentile = [&](double p) {
    auto nth = micros.begin() + static_cast<std::ptrdiff_t>(p * static_cast<double>(micros.size() - 1));
    std::nth_element(micros.begin(), nth, micros.end());
    return *nth / 1000.0;
  };
  return {percentile(0.50), percentile(0.99)};
}

/// One step of the flows of a phase (Step), timed on its own.
struct StepResult {
  std::string name;
  std::uint64_t requests = 0;
  Percentiles latency;
};

struct PhaseResult {
  std::string name;
  double seconds = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint64_t flows = 0;
  double p50_ms = 0, p99_ms = 0;
  std::vector<StepResult> steps = {};     // for flows
  std::uint64_t provider_requests = 0;    // the service's requests to the mock, by its metrics
  double provider_seconds = 0;            // and the time they took together
  double cores = 0;                       // the watched process's CPU seconds a second
  double mock_cores = 0, load_cores = 0;  // the mock's and this program's, as the watched one's
  double machine_idle = 0;                // the share of the machine's CPU nobody used
  std::string first_error;
  long anon_kb_start = 0, anon_kb_end = 0, anon_kb_max = 0, rss_kb_end = 0;
  std::vector<long> anon_kb_samples = {};  // one a second
  double rps() const { return static_cast<double>(requests) / seconds; }
  double flows_per_second() const { return static_cast<double>(flows) / seconds; }
  /// Microseconds of CPU a request, of a process `cores` busy.
  double micros_a_request(double cores_busy) const { return requests == 0 ? 0 : cores_busy * 1e6 / rps(); }
};

PhaseResult run_phase(std::string name, Target const& target, std::vector<Kind> kinds, int connections,
                      std::chrono::seconds length, pid_t watched, pid_t mock) {
  asio::io_context context;
  auto const until = SteadyClock::now() + length;
  std::vector<Tally> tallies(static_cast<std::size_t>(connections));
  for (int i = 0; i < connections; ++i)
    asio::co_spawn(context,
                   client(target, static_cast<std::size_t>(i), kinds, until, tallies[static_cast<std::size_t>(i)]),
                   asio::detached);
  PhaseResult result;
  result.name = std::move(name);
  result.anon_kb_start = memory_kb(watched, "RssAnon");
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      result.anon_kb_samples.push_back(memory_kb(watched, "RssAnon"));
      result.anon_kb_max = std::max(result.anon_kb_max, result.anon_kb_samples.back());
    }
  });
  auto const cpu_before = cpu_seconds(watched);
  auto const mock_before = mock == watched ? 0.0 : cpu_seconds(mock);
  auto const load_before = own_cpu_seconds();
  auto const machine_before = machine_ticks();
  auto const started = SteadyClock::now();
  context.run();
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  result.cores = (cpu_seconds(watched) - cpu_before) / result.seconds;
  if (mock != watched) result.mock_cores = (cpu_seconds(mock) - mock_before) / result.seconds;
  result.load_cores = (own_cpu_seconds() - load_before) / result.seconds;
  auto const machine_after = machine_ticks();
  if (machine_after.total > machine_before.total)
    result.machine_idle = static_cast<double>(machine_after.idle - machine_before.idle) /
                          static_cast<double>(machine_after.total - machine_before.total);
  done = true;
  sampler.join();
  result.anon_kb_end = memory_kb(watched, "RssAnon");
  result.rss_kb_end = memory_kb(watched, "VmRSS");
  std::vector<std::uint32_t> all;
  std::array<std::vector<std::uint32_t>, 3> steps{};
  for (auto& tally : tallies) {
    all.insert(all.end(), tally.micros.begin(), tally.micros.end());
    for (std::size_t step = 0; step < steps.size(); ++step)
      steps[step].insert(steps[step].end(), tally.steps[step].begin(), tally.steps[step].end());
    result.errors += tally.errors;
    result.flows += tally.flows;
    if (result.first_error.empty()) result.first_error = tally.first_error;
  }
  result.requests = all.size();
  auto const latency = percentiles(all);
  result.p50_ms = latency.p50_ms;
  result.p99_ms = latency.p99_ms;
  for (std::size_t step = 0; step < steps.size(); ++step)
    if (!steps[step].empty()) result.steps.push_back({step_names[step], steps[step].size(), percentiles(steps[step])});
  return result;
}

std::vector<std::string> split_list(std::string const& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::map<std::string, std::string> read_env_file(std::filesystem::path const& file) {
  std::map<std::string, std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (auto const eq = line.find('='); eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  return out;
}

/// Where the servers the tests start are (OAUTH_DB_SERVERS), by variable.
std::map<std::string, std::string> db_servers() {
  char const* file = std::getenv("OAUTH_DB_SERVERS");
  if (file == nullptr)
    throw std::runtime_error("PostgreSQL and Redis need OAUTH_DB_SERVERS (tests/support/db_servers.sh)");
  return read_env_file(file);
}

/// A store of `kind` that holds nothing yet, as the service's OAUTH_STORE_URL.
std::string fresh_store(std::string const& kind, int block, std::filesystem::path const& dir) {
  auto const name = "oauth_load_" + std::to_string(getpid()) + "_" + std::to_string(block);
  auto const log = (dir / "store-setup.out").string();
  if (kind == "sqlite") return "sqlite:" + (dir / (name + ".db")).string();
  if (kind == "memory") return "memory:";
  if (kind == "postgres") {
    auto const url = db_servers().at("OAUTH_TEST_POSTGRES_URL");
    run({"psql", "-q", url, "-c", "CREATE DATABASE " + name}, log);
    return url.substr(0, url.rfind('/') + 1) + name;
  }
  if (kind == "redis") {
    auto const url = db_servers().at("OAUTH_TEST_REDIS_URL");
    auto const fresh = url.substr(0, url.rfind('/') + 1) + std::to_string(1 + block % 15);
    run({"redis-cli", "-u", fresh, "flushdb"}, log);
    return fresh;
  }
  throw std::runtime_error("no store " + kind + ": sqlite, postgres, redis or memory");
}

/// What the service's metrics say its requests to providers were, over every host: how
/// many, and their time together.
struct ProviderTotals {
  std::uint64_t requests = 0;
  double seconds = 0;
};

ProviderTotals provider_totals(unsigned short service_port) {
  asio::io_context context;
  auto text = asio::co_spawn(
      context,
      [&]() -> asio::awaitable<std::string> {
        Connection connection(co_await asio::this_coro::executor, service_port);
        Headers const none;
        std::string const path = "/metrics", empty;
        auto reply = co_await connection.send(http::verb::get, path, none, empty);
        co_return reply && reply->result_int() == 200 ? reply->body() : std::string();
      },
      asio::use_future);
  context.run();
  ProviderTotals totals;
  std::istringstream lines(text.get());
  for (std::string line; std::getline(lines, line);) {
    auto const value = line.substr(line.rfind(' ') + 1);
    if (line.starts_with("oauth_provider_request_duration_seconds_count{"))
      totals.requests += std::stoull(value);
    else if (line.starts_with("oauth_provider_request_duration_seconds_sum{"))
      totals.seconds += std::stod(value);
  }
  return totals;
}

struct Block {
  std::string store;
  int connections = 0;
  std::vector<PhaseResult> phases = {};

  PhaseResult const& phase(std::string_view name) const {
    return *std::find_if(phases.begin(), phases.end(), [&](auto const& p) { return p.name == name; });
  }
};

struct Setup {
  std::string service_binary;
  std::filesystem::path dir;
  std::map<std::string, std::string> env;  // the service's, but for its store
  unsigned short mock_port = 0;
  Target floor;
  pid_t floor_pid = -1;
  pid_t mocks_pid = -1;
  std::chrono::seconds phase{10}, hold{0};
};

Block run_block(Setup const& setup, std::string const& store, int connections, int index) {
  Block block{store, connections};
  auto env = setup.env;
  env["OAUTH_STORE_URL"] = fresh_store(store, index, setup.dir);
  auto const log = setup.dir / ("access-" + std::to_string(index) + ".log");
  env["OAUTH_ACCESS_LOG"] = log.string();
  Child service;
  service.pid = spawn({setup.service_binary}, env, (setup.dir / "service.out").string());
  auto const listening = json::parse(wait_for_line(log.string(), "\"listening\""));
  auto const service_port = static_cast<unsigned short>(listening.at("port").as_int64());

  std::vector<LoadUser> users;
  for (int i = 0; i < connections; ++i) {
    auto const name = "load-user-" + std::to_string(i);
    users.push_back(
        {hs256_token(env.at("OAUTH_JWT_SECRET"), name), hs256_token(env.at("OAUTH_SERVICE_TOKEN_SECRET"), name)});
  }
  Target target{service_port, setup.mock_port, &users};
  auto const phase = [&](std::string name, std::vector<Kind> kinds, std::chrono::seconds length) {
    std::cerr << store << ", " << connections << " connections: " << name << std::endl;
    auto const before = provider_totals(service_port);
    block.phases.push_back(
        run_phase(std::move(name), target, std::move(kinds), connections, length, service.pid, setup.mocks_pid));
    auto const after = provider_totals(service_port);
    block.phases.back().provider_requests = after.requests - before.requests;
    block.phases.back().provider_seconds = after.seconds - before.seconds;
  };
  std::cerr << store << ", " << connections << " connections: floor" << std::endl;
  block.phases.push_back(run_phase("floor /health (bare Beast)", setup.floor, {Kind::health}, connections, setup.phase,
                                   setup.floor_pid, setup.mocks_pid));
  phase("health", {Kind::health}, setup.phase);
  phase("authorize", {Kind::authorize}, setup.phase);
  phase("callback flow", {Kind::flow}, setup.phase);
  for (std::size_t i = 0; i < users.size(); ++i)
    if (!users[i].integration_id.empty()) target.connected.push_back(i);
  if (target.connected.empty()) throw std::runtime_error("no flow completed: " + block.phases.back().first_error);

  // The mock's share of a flow, asked of it straight: its client, and the service's own
  // authorization URL with the state and challenge the load makes.
  asio::io_context context;
  auto authorization_url = asio::co_spawn(
      context,
      [&]() -> asio::awaitable<std::string> {
        Connection connection(co_await asio::this_coro::executor, service_port);
        Headers const bearer{{"Authorization", "Bearer " + users[0].bearer}};
        std::string const path = "/api/v1/oauth/google/authorize", empty;
        auto reply = co_await connection.send(http::verb::post, path, bearer, empty);
        if (!reply) co_return std::string();
        co_return std::string(json::parse(reply->body()).at("authorization_url").as_string());
      },
      asio::use_future);
  context.run();
  boost::urls::url authorize(path_of(authorization_url.get()));
  target.mock_flow = {authorize, env.at("OAUTH_GOOGLE_CLIENT_ID"), env.at("OAUTH_GOOGLE_CLIENT_SECRET"),
                      std::string((*authorize.params().find("redirect_uri")).value)};
  block.phases.push_back(run_phase("mock alone (a flow's share)", target, {Kind::mock_flow}, connections, setup.phase,
                                   setup.mocks_pid, setup.mocks_pid));
  phase("token", {Kind::token}, setup.phase);
  phase("refresh", {Kind::refresh}, setup.phase);
  if (setup.hold.count() > 0) phase("mixed hold", {Kind::health, Kind::authorize, Kind::flow}, setup.hold);
  service.stop();
  std::filesystem::remove(log);
  return block;
}

json::object to_json(PhaseResult const& r) {
  json::array steps;
  for (auto const& step : r.steps)
    steps.push_back({{"step", step.name},
                     {"requests", step.requests},
                     {"p50_ms", step.latency.p50_ms},
                     {"p99_ms", step.latency.p99_ms}});
  return {{"phase", r.name},
          {"seconds", r.seconds},
          {"requests", r.requests},
          {"requests_per_second", r.rps()},
          {"p50_ms", r.p50_ms},
          {"p99_ms", r.p99_ms},
          {"errors", r.errors},
          {"flows", r.flows},
          {"service_cores", r.cores},
          {"mock_cores", r.mock_cores},
          {"load_cores", r.load_cores},
          {"machine_idle", r.machine_idle},
          {"anon_kb_start", r.anon_kb_start},
          {"anon_kb_end", r.anon_kb_end},
          {"anon_kb_max", r.anon_kb_max},
          {"rss_kb_end", r.rss_kb_end},
          {"anon_kb_samples", json::array(r.anon_kb_samples.begin(), r.anon_kb_samples.end())},
          {"steps", std::move(steps)},
          {"provider_requests", r.provider_requests},
          {"provider_seconds", r.provider_seconds}};
}

void print(Block const& block, unsigned threads) {
  std::printf("\n%s store, %d connections on loopback; floor and service each on %u threads\n", block.store.c_str(),
              block.connections, threads);
  std::printf("%-28s %10s %9s %9s %8s %8s %6s %10s\n", "phase", "req/s", "p50 ms", "p99 ms", "errors", "flows/s",
              "cores", "anon MiB");
  for (auto const& r : block.phases) {
    std::printf("%-28s %10.0f %9.2f %9.2f %8llu %8.0f %6.2f %5.1f->%.1f\n", r.name.c_str(), r.rps(), r.p50_ms, r.p99_ms,
                static_cast<unsigned long long>(r.errors), r.flows_per_second(), r.cores,
                static_cast<double>(r.anon_kb_start) / 1024, static_cast<double>(r.anon_kb_end) / 1024);
    for (auto const& step : r.steps)
      std::printf("  %-26s %10.0f %9.2f %9.2f\n", step.name.c_str(), static_cast<double>(step.requests) / r.seconds,
                  step.latency.p50_ms, step.latency.p99_ms);
    std::printf("  %-26s %10.0f %9.0f %9.0f   (machine %.0f%% idle)\n", "CPU us a request: it, mock, load",
                r.micros_a_request(r.cores), r.micros_a_request(r.mock_cores), r.micros_a_request(r.load_cores),
                100 * r.machine_idle);
    if (r.provider_requests > 0)
      std::printf("  %-26s %10.0f   mean %.2f ms each\n", "the service's to the mock",
                  static_cast<double>(r.provider_requests) / r.seconds,
                  1000 * r.provider_seconds / static_cast<double>(r.provider_requests));
    if (r.errors) std::printf("    first error: %s\n", r.first_error.substr(0, 200).c_str());
  }
  auto const& floor = block.phase("floor /health (bare Beast)");
  auto const& health = block.phase("health");
  auto const& authorize = block.phase("authorize");
  auto const& flow = block.phase("callback flow");
  auto const& mock = block.phase("mock alone (a flow's share)");
  std::printf("health %.2fx the floor (p99 %.2fx); authorize %.2fx health; flows %.2fx the mock alone\n",
              health.rps() / floor.rps(), health.p99_ms / floor.p99_ms, authorize.rps() / health.rps(),
              flow.flows_per_second() / mock.flows_per_second());
  for (auto const& hold : block.phases) {
    if (hold.name != "mixed hold") continue;
    std::printf("mixed hold: anonymous memory %.1f MiB at start, %.1f at most, %.1f at the end; every 10 s:",
                static_cast<double>(hold.anon_kb_start) / 1024, static_cast<double>(hold.anon_kb_max) / 1024,
                static_cast<double>(hold.anon_kb_end) / 1024);
    for (std::size_t i = 9; i < hold.anon_kb_samples.size(); i += 10)
      std::printf(" %.1f", static_cast<double>(hold.anon_kb_samples[i]) / 1024);
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "--serve-floor") return serve_floor(static_cast<unsigned>(std::stoi(args[1])));
  Setup setup;
  std::string mocks_binary, json_file;
  std::vector<std::string> stores{"sqlite"};
  std::vector<int> sizes{200, 1000};
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--service")
      setup.service_binary = args[i + 1];
    else if (args[i] == "--mocks")
      mocks_binary = args[i + 1];
    else if (args[i] == "--stores")
      stores = split_list(args[i + 1]);
    else if (args[i] == "--connections") {
      sizes.clear();
      for (auto const& size : split_list(args[i + 1])) sizes.push_back(std::stoi(size));
    } else if (args[i] == "--seconds")
      setup.phase = std::chrono::seconds(std::stoi(args[i + 1]));
    else if (args[i] == "--hold-seconds")
      setup.hold = std::chrono::seconds(std::stoi(args[i + 1]));
    else if (args[i] == "--json")
      json_file = args[i + 1];
  }
  if (setup.service_binary.empty() || mocks_binary.empty() || stores.empty() || sizes.empty()) {
    std::cerr << "usage: oauth_service_load --service PATH --mocks PATH [--stores sqlite,postgres,redis,memory] "
                 "[--connections 200,1000] [--seconds S] [--hold-seconds S] [--json FILE]\n";
    return 2;
  }
  std::sort(sizes.begin(), sizes.end());
  raise_descriptor_limit();
  setup.dir = std::filesystem::temp_directory_path() / ("oauth-load-" + std::to_string(getpid()));
  std::filesystem::create_directories(setup.dir);
  unsigned const threads = 2;

  Child floor, mocks;
  floor.pid = spawn({argv[0], "--serve-floor", std::to_string(threads)}, {}, (setup.dir / "floor.out").string());
  mocks.pid = spawn({mocks_binary, "--auto-approve", "--env-file", (setup.dir / "mocks.env").string()}, {},
                    (setup.dir / "mocks.out").string());
  wait_for_line((setup.dir / "mocks.out").string(), "google");
  setup.env = {{"OAUTH_DEVELOPMENT", "1"},
               {"OAUTH_SERVICE_PORT", "0"},
               {"OAUTH_SERVICE_THREADS", std::to_string(threads)},
               {"OAUTH_JWT_SECRET", "load-test-bearer-secret-0123456789abcdef"},
               {"OAUTH_SERVICE_TOKEN_SECRET", "load-test-server-secret-0123456789abcdef"},
               {"OAUTH_ENCRYPTION_KEY", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="},
               {"OAUTH_SERVICE_CONFIG", (setup.dir / "service.json").string()}};
  std::ofstream(setup.dir / "service.json")
      << R"({"rate_limit_per_user_per_minute": 0, "rate_limit_per_address_per_minute": 0,)"
         R"( "max_connections_per_address": 100000})";
  for (auto const& [name, value] : read_env_file(setup.dir / "mocks.env")) {
    setup.env[name] = value;
    if (name == "OAUTH_GOOGLE_ENDPOINT_BASE")
      setup.mock_port = static_cast<unsigned short>(std::stoi(value.substr(value.rfind(':') + 1)));
  }
  setup.floor = {static_cast<unsigned short>(std::stoi(wait_for_line((setup.dir / "floor.out").string(), ""))), 0};
  setup.floor_pid = floor.pid;
  setup.mocks_pid = mocks.pid;
  auto const hold = setup.hold;

  std::vector<Block> blocks;
  int index = 0;
  for (auto const& store : stores)
    for (auto const size : sizes) {
      setup.hold = size == sizes.back() ? hold : std::chrono::seconds(0);
      blocks.push_back(run_block(setup, store, size, index++));
    }

  json::array out;
  std::uint64_t errors = 0;
  for (auto const& block : blocks) {
    print(block, threads);
    json::array phases;
    for (auto const& r : block.phases) {
      phases.push_back(to_json(r));
      errors += r.errors;
    }
    out.push_back({{"store", block.store}, {"connections", block.connections}, {"phases", std::move(phases)}});
  }
  if (!json_file.empty()) std::ofstream(json_file) << json::serialize(json::object{{"blocks", std::move(out)}});
  std::filesystem::remove_all(setup.dir);
  return errors == 0 ? 0 : 1;
}
