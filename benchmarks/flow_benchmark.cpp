// The manager's operations against their floors, in one binary and one run:
//   AuthorizationUrl   the URL builder          vs the same URL concatenated and encoded by hand
//   ValidateState      taking a state record    vs a map lookup plus the raw Fernet decrypt of its verifier
//   CompleteFlow       the whole callback       vs the two HTTP exchanges it needs, by raw Beast on one connection
//   GetAccessToken     a fresh token            vs a map lookup plus one raw Fernet decrypt
//   SingleFlightRefresh  1000 callers, expired  vs the one refresh exchange, by raw Beast
//   ApiRequest         an authorized client GET  vs the same GET with the token, by raw Beast
// Each runs against an in-process mock provider over plain HTTP on loopback, with
// keep-alive, so what is measured is the library, not TLS.

#include "fernet_floor.hpp"
#include "instruction_count.hpp"
#include "support/mock_provider.hpp"

#include <oauth/oauth.hpp>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <memory>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using oauth::providers::Google;

std::string const key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
std::string const redirect = "https://app.example/oauth/callback";

/// A bare HTTP/1.1 client on one kept-alive connection: the floor of any exchange.
class RawClient {
public:
  explicit RawClient(unsigned short port) : socket_(context_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  http::response<http::string_body> send(http::verb verb, std::string target, std::string body = {},
                                         std::string authorization = {}) {
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    if (verb == http::verb::post) {
      request.set(http::field::content_type, "application/x-www-form-urlencoded");
      request.body() = std::move(body);
    }
    request.prepare_payload();
    http::write(socket_, request);
    http::response<http::string_body> response;
    http::read(socket_, buffer_, response);
    return response;
  }

  /// The code for tokens, as the library sends it: with the PKCE verifier, which the
  /// provider hashes to check against the challenge.
  http::response<http::string_body> exchange(std::string const& code, std::string_view verifier) {
    return send(http::verb::post, "/token",
                "grant_type=authorization_code&code=" + code + "&redirect_uri=" + redirect +
                    "&client_id=client-id&client_secret=client-secret&code_verifier=" + std::string(verifier));
  }

  /// The consent step: a code for a fresh authorization with an S256 challenge.
  std::string code(std::string_view challenge) {
    auto response =
        send(http::verb::get, "/o/oauth2/v2/auth?response_type=code&client_id=client-id&redirect_uri=" + redirect +
                                  "&scope=openid&access_type=offline&state=s&code_challenge=" + std::string(challenge) +
                                  "&code_challenge_method=S256");
    return oauth::testing::query_params(std::string(response[http::field::location]))["code"];
  }

private:
  asio::io_context context_;
  asio::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
};

/// The manager of the benchmarks, its store and its mock, with a clock to move.
struct Setup {
  Setup()
      : store(oauth::store::MemoryBackend{}, oauth::crypto::Keyring::from_list(key).value()),
        manager(runtime.executor(), store, options()) {
    (void)manager.configure<Google>({"client-id", oauth::ClientSecret("client-secret"), {redirect}, mock.base_url()});
  }

  oauth::ManagerOptions options() {
    oauth::ManagerOptions o;
    o.clock = [offset = offset] { return oauth::Clock::now() + std::chrono::seconds(offset->load()); };
    return o;
  }

  /// A complete flow with the library: initiate, consent, callback.
  oauth::Integration connect(std::string const& user) {
    auto start =
        manager.initiate_flow<Google>({"tenant", user, "session", {"calendar.readonly"}, redirect, {}}).value();
    auto answer = oauth::testing::consent(start.authorization_url);
    oauth::FlowCallback callback;
    callback.state = answer.state;
    callback.code = oauth::AuthorizationCode(answer.code);
    callback.session_id = "session";
    return manager.complete_flow<Google>(std::move(callback)).value();
  }

  std::shared_ptr<std::atomic<long long>> offset = std::make_shared<std::atomic<long long>>(0);
  oauth::testing::MockProvider mock{{.flavor = oauth::testing::Flavor::google, .api_items = 3}};
  oauth::Runtime runtime{1};
  oauth::TokenStore<oauth::store::MemoryBackend> store;
  oauth::Manager<Google> manager;
};

// ---- AuthorizationUrl --------------------------------------------------------------

std::string const state_value = "Qb1Hc7Pq3kq2lq8Yk3o1mQe7YpZ0z9xW1vU2tS3rQ4p";
std::string const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

void BM_Library_AuthorizationUrl(benchmark::State& state) {
  oauth::AuthorizationRequest request{"client-id", redirect, {"calendar.readonly"}, state_value, challenge, {}};
  for (auto _ : state) {
    auto url = oauth::authorization_url<Google>(request);
    benchmark::DoNotOptimize(url);
  }
}

void encode_into(std::string& out, std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

void BM_Floor_AuthorizationUrl(benchmark::State& state) {
  // What the URL is, built by hand with nothing checked: the scopes already resolved.
  std::string const scopes = "openid email profile https://www.googleapis.com/auth/calendar.readonly";
  auto const expected =
      oauth::authorization_url<Google>({"client-id", redirect, {"calendar.readonly"}, state_value, challenge, {}})
          .value();
  std::string url;
  for (auto _ : state) {
    url.clear();
    url.reserve(400);
    url += "https://accounts.google.com/o/oauth2/v2/auth?response_type=code&client_id=";
    encode_into(url, "client-id");
    url += "&redirect_uri=";
    encode_into(url, redirect);
    url += "&scope=";
    encode_into(url, scopes);
    url += "&state=";
    encode_into(url, state_value);
    url += "&code_challenge=";
    encode_into(url, challenge);
    url += "&code_challenge_method=S256&access_type=offline";
    benchmark::DoNotOptimize(url);
  }
  if (url != expected) state.SkipWithError("the floor builds a different URL");
}

// ---- ValidateState -------------------------------------------------------------------

constexpr int state_batch = 2000;

/// States made ahead in batches, each batch made with the clock stopped: a state can be
/// validated once only.
struct PreparedStates {
  PreparedStates(benchmark::State& s, std::vector<std::string>& prepared, std::function<void()> make)
      : state(s), states(prepared), refill(std::move(make)) {
    refill();
  }

  std::string const& next() {
    if (position == states.size()) {
      state.PauseTiming();
      refill();
      position = 0;
      state.ResumeTiming();
    }
    return states[position++];
  }

  benchmark::State& state;
  std::vector<std::string>& states;
  std::function<void()> refill;
  std::size_t position = 0;
};

void BM_Library_ValidateState(benchmark::State& state) {
  oauth::TokenStore<oauth::store::MemoryBackend> store(oauth::store::MemoryBackend{},
                                                       oauth::crypto::Keyring::from_list(key).value());
  auto const now = oauth::Clock::now();
  std::vector<std::string> states;
  auto refill = [&] {
    states.clear();
    for (int i = 0; i < state_batch; ++i) {
      oauth::FlowState flow;
      flow.state = oauth::crypto::make_state().value();
      flow.provider = "google";
      flow.session_id = "session";
      flow.code_verifier = oauth::crypto::make_pkce().value().verifier;
      flow.expires_at = now + std::chrono::minutes(10);
      (void)store.put_state(flow);
      states.push_back(flow.state);
    }
  };
  PreparedStates prepared{state, states, refill};
  for (auto _ : state) {
    auto flow = store.take_state(prepared.next(), "session", now);  // the session is checked inside
    bool ok = flow.has_value();
    benchmark::DoNotOptimize(ok);
  }
}

void BM_Floor_ValidateState(benchmark::State& state) {
  struct Record {
    std::string session;
    std::string verifier_ciphertext;
    bool used = false;
  };
  oauth::bench::Floor floor;
  std::map<std::string, Record, std::less<>> records;
  std::vector<std::string> states;
  std::array<unsigned char, 512> out{};
  auto refill = [&] {
    records.clear();
    states.clear();
    for (int i = 0; i < state_batch; ++i) {
      auto verifier = oauth::crypto::make_pkce().value().verifier;
      std::array<unsigned char, 256> token{};
      auto const n = floor.encrypt(reinterpret_cast<unsigned char const*>(verifier.reveal().data()),
                                   static_cast<int>(verifier.size()), 1'700'000'000, token.data());
      auto id = oauth::crypto::make_state().value();
      records[id] = Record{"session", std::string(reinterpret_cast<char const*>(token.data()), n)};
      states.push_back(id);
    }
  };
  PreparedStates prepared{state, states, refill};
  for (auto _ : state) {
    auto it = records.find(prepared.next());
    it->second.used = true;
    auto const& c = it->second.verifier_ciphertext;
    int n = floor.decrypt(reinterpret_cast<unsigned char const*>(c.data()), c.size(), out.data());
    bool ok = n > 0 && CRYPTO_memcmp(it->second.session.data(), "session", 7) == 0;
    benchmark::DoNotOptimize(ok);
  }
}

// ---- CompleteFlow ----------------------------------------------------------------------

void BM_Manager_CompleteFlow(benchmark::State& state) {
  Setup setup;
  RawClient browser(setup.mock.port());
  setup.connect("warm-up");  // the manager's connection is open and kept alive
  for (auto _ : state) {
    state.PauseTiming();
    auto start = setup.manager.initiate_flow<Google>({"tenant", "user", "session", {}, redirect, {}}).value();
    auto response = browser.send(http::verb::get, start.authorization_url.substr(start.authorization_url.find("/o/")));
    auto params = oauth::testing::query_params(std::string(response[http::field::location]));
    oauth::FlowCallback callback;
    callback.state = params["state"];
    callback.code = oauth::AuthorizationCode(params["code"]);
    callback.session_id = "session";
    state.ResumeTiming();
    auto integration = setup.manager.complete_flow<Google>(std::move(callback));
    if (!integration) state.SkipWithError(integration.error().message().c_str());
  }
  if (setup.mock.connections_accepted() > 3) state.SkipWithError("connections were not kept alive");
}

void BM_Floor_CompleteFlow(benchmark::State& state) {
  Setup setup;
  RawClient browser(setup.mock.port());
  RawClient client(setup.mock.port());
  for (auto _ : state) {
    state.PauseTiming();
    auto const pkce = oauth::crypto::make_pkce().value();
    auto code = browser.code(pkce.challenge);
    state.ResumeTiming();
    auto token = client.exchange(code, pkce.verifier.reveal());
    if (token.result_int() != 200) {
      state.SkipWithError("the floor's code exchange was refused");
      break;
    }
    auto access = boost::json::parse(token.body()).at("access_token").as_string();
    auto user = client.send(http::verb::get, "/v1/userinfo", {}, "Bearer " + std::string(access));
    auto info = boost::json::parse(user.body());
    benchmark::DoNotOptimize(info);
    if (user.result_int() != 200) state.SkipWithError("the floor's exchange failed");
  }
}

// ---- GetAccessToken --------------------------------------------------------------------

void BM_Manager_GetAccessToken(benchmark::State& state) {
  Setup setup;
  auto const integration = setup.connect("user");
  auto const calls = state.range(0);
  oauth::bench::InstructionCount counted(state, "BM_Manager_GetAccessToken/" + std::to_string(calls), calls);
  for (auto _ : state) {
    // `calls` tokens in one coroutine on the manager's executor: the cost of a call from
    // code that already runs there. The hop there and back, tens of microseconds on this
    // machine, is the harness's; a thousand calls make it a small part of each.
    auto done = asio::co_spawn(
        setup.runtime.executor(),
        [&]() -> asio::awaitable<bool> {
          for (long i = 0; i < calls; ++i) {
            std::string tenant = "tenant", user = "user", id = integration.id;
            auto grant = co_await setup.manager.async_get_access_token<Google>(std::move(tenant), std::move(user),
                                                                               std::move(id), asio::use_awaitable);
            if (!grant) co_return false;
          }
          co_return true;
        },
        asio::use_future);
    if (!done.get()) state.SkipWithError("get_access_token failed");
  }
  state.SetItemsProcessed(state.iterations() * calls);
}

void BM_Blocking_GetAccessToken(benchmark::State& state) {
  Setup setup;
  auto const integration = setup.connect("user");
  oauth::bench::InstructionCount counted(state, "BM_Blocking_GetAccessToken/" + std::to_string(state.range(0)),
                                         state.range(0));
  for (auto _ : state) {
    for (long i = 0; i < state.range(0); ++i) {
      auto grant = setup.manager.get_access_token<Google>("tenant", "user", integration.id);
      if (!grant) state.SkipWithError(grant.error().message().c_str());
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_Floor_GetAccessToken(benchmark::State& state) {
  oauth::bench::Floor floor;
  std::map<std::string, std::string, std::less<>> tokens;
  std::array<unsigned char, 512> sealed{};
  // As long as the mock provider's Google tokens ("ya29." and 32 random characters), so
  // both sides decrypt and authenticate the same number of bytes.
  std::string const access = "ya29." + std::string(32, 'a');
  auto const n = floor.encrypt(reinterpret_cast<unsigned char const*>(access.data()), static_cast<int>(access.size()),
                               1'700'000'000, sealed.data());
  for (int i = 0; i < 100; ++i)
    tokens["integration-" + std::to_string(i)] = std::string(reinterpret_cast<char*>(sealed.data()), n);
  std::array<unsigned char, 512> out{};
  oauth::bench::InstructionCount counted(state, "BM_Floor_GetAccessToken/" + std::to_string(state.range(0)),
                                         state.range(0));
  for (auto _ : state) {
    for (long i = 0; i < state.range(0); ++i) {
      auto const& c = tokens.find("integration-42")->second;
      int plain = floor.decrypt(reinterpret_cast<unsigned char const*>(c.data()), c.size(), out.data());
      benchmark::DoNotOptimize(plain);
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// ---- SingleFlightRefresh -----------------------------------------------------------------

void BM_Manager_SingleFlightRefresh(benchmark::State& state) {
  Setup setup;
  auto const integration = setup.connect("user");
  auto const callers = state.range(0);
  int const refreshes_before = setup.mock.requests("token.refresh_token");
  for (auto _ : state) {
    state.PauseTiming();
    *setup.offset += 7200;  // every token is now expired
    state.ResumeTiming();
    auto remaining = std::make_shared<std::atomic<long>>(callers);
    auto all_done = std::make_shared<std::promise<void>>();
    auto finished = all_done->get_future();
    for (long i = 0; i < callers; ++i) {
      setup.manager.async_get_access_token<Google>("tenant", "user", integration.id,
                                                   [remaining, all_done](oauth::Result<oauth::AccessGrant> grant) {
                                                     if (!grant) std::abort();
                                                     if (--*remaining == 0) all_done->set_value();
                                                   });
    }
    finished.get();
  }
  auto const refreshes = setup.mock.requests("token.refresh_token") - refreshes_before;
  if (refreshes != static_cast<int>(state.iterations())) state.SkipWithError("more than one refresh per round");
}

void BM_Floor_SingleFlightRefresh(benchmark::State& state) {
  Setup setup;
  RawClient client(setup.mock.port());
  auto const pkce = oauth::crypto::make_pkce().value();
  auto code = client.code(pkce.challenge);
  auto first = client.exchange(code, pkce.verifier.reveal());
  std::string refresh(boost::json::parse(first.body()).at("refresh_token").as_string());
  for (auto _ : state) {
    auto response = client.send(
        http::verb::post, "/token",
        "grant_type=refresh_token&refresh_token=" + refresh + "&client_id=client-id&client_secret=client-secret");
    auto access = boost::json::parse(response.body());
    benchmark::DoNotOptimize(access);
    if (response.result_int() != 200) state.SkipWithError("the floor's refresh failed");
  }
}

// ---- ApiRequest ----------------------------------------------------------------------

std::string const calendars = "/calendar/v3/users/me/calendarList";

/// One API call through the authorized client, blocking: the token read and attached,
/// the request paced and sent on the manager's pooled keep-alive connection, the answer
/// checked.
void BM_Client_ApiRequest(benchmark::State& state) {
  Setup setup;
  auto const integration = setup.connect("user");
  auto const client = setup.manager.client<Google>("tenant", "user", integration.id);
  for (auto _ : state) {
    auto answer = client.send(oauth::ApiRequest::get(calendars));
    if (!answer || answer->status != 200) state.SkipWithError("the client's call failed");
    benchmark::DoNotOptimize(answer);
  }
}

/// The same request with the same token, written and read by Beast on one kept-alive
/// connection to the same mock, with nothing else done.
void BM_Floor_ApiRequest(benchmark::State& state) {
  Setup setup;
  auto const integration = setup.connect("user");
  auto const token = setup.manager.get_access_token<Google>("tenant", "user", integration.id).value();
  std::string const authorization = "Bearer " + std::string(token.access_token.reveal());
  RawClient raw(setup.mock.port());
  for (auto _ : state) {
    auto response = raw.send(http::verb::get, calendars, {}, authorization);
    if (response.result_int() != 200) state.SkipWithError("the floor's call failed");
    benchmark::DoNotOptimize(response);
  }
}

BENCHMARK(BM_Floor_AuthorizationUrl);
BENCHMARK(BM_Library_AuthorizationUrl);
BENCHMARK(BM_Floor_ValidateState);
BENCHMARK(BM_Library_ValidateState);
BENCHMARK(BM_Floor_CompleteFlow)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Manager_CompleteFlow)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Floor_GetAccessToken)->Arg(1)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Manager_GetAccessToken)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Blocking_GetAccessToken)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Floor_SingleFlightRefresh)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Manager_SingleFlightRefresh)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Floor_ApiRequest)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Client_ApiRequest)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
