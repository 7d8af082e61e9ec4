// The callback of an authorization, through Manager::complete_flow, against a provider
// that answers whatever the input says. Sections, split by "----":
//   0  "<provider>" on the first line, then the callback's query string (state, code,
//      error, error_description, iss, session); state=ISSUED stands for the state the
//      flow was given, session is the flow's own unless the query names another
//   1  the token endpoint's answer: "<status>", headers, an empty line, the body
//   2  the userinfo endpoint's answer, the same way
// Whatever comes back, nothing is sent to the provider for a callback that is not the
// flow's (another state, session or issuer, or an error), every error and audit row is
// one printable line, and a connection is stored only when everything held.
#include "builtin_provider.hpp"
#include "fuzz_input.hpp"

#include <oauth/manager.hpp>
#include <oauth/protocol/authorization_response.hpp>
#include <oauth/store/memory.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>

namespace {

namespace asio = boost::asio;
using oauth::fuzz::require;
using Manager = oauth::providers::Builtin::apply<oauth::Manager>;
constexpr char redirect_uri[] = "https://app.example/oauth/callback";

/// The provider's side: answers from the input, and counts what it was sent.
struct Script {
  oauth::HttpResponse token;
  oauth::HttpResponse userinfo;
  int token_requests = 0;
  int other_requests = 0;
};

struct ScriptedTransport {
  std::shared_ptr<Script> script;

  template <class CompletionToken>
  asio::awaitable<oauth::Result<oauth::HttpResponse>> async_send(oauth::HttpRequest request, CompletionToken) {
    auto const path = boost::urls::parse_uri(request.url);
    if (path && path->path().ends_with("/token")) {
      ++script->token_requests;
      co_return script->token;
    }
    ++script->other_requests;
    co_return script->userinfo;
  }
};

oauth::HttpResponse response_of(std::string_view section) {
  auto const message = oauth::fuzz::message(section);
  oauth::HttpResponse response;
  response.status = static_cast<unsigned>(oauth::fuzz::number_after(message.first_line, 0, 200) % 1000);
  response.headers = message.headers;
  response.body = std::string(message.body);
  return response;
}

struct Fixture {
  asio::io_context io;
  std::shared_ptr<Script> script = std::make_shared<Script>();
  oauth::TokenStore<oauth::store::MemoryBackend> store{
      oauth::store::MemoryBackend{},
      oauth::crypto::Keyring::from_list("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=").value()};
  Manager manager{io.get_executor(), store, ScriptedTransport{script}};
  unsigned users = 0;

  Fixture() {
    boost::hana::for_each(oauth::providers::Builtin::types, [&](auto type) {
      using P = typename decltype(type)::type;
      auto configured = manager.configure<P>({"client-id", oauth::ClientSecret("client-secret"), {redirect_uri}, {}});
      if (!configured) oauth::fuzz::violated("the fuzz manager is configured");
    });
  }
};

template <class P>
void callback(Fixture& fixture, std::vector<std::string_view> const& sections) {
  // A user of one's own for each input, so that what it leaves is its own to check.
  auto const user = "user-" + std::to_string(fixture.users++);
  auto started = fixture.manager.initiate_flow<P>({"tenant-1", user, "session-1", {}, redirect_uri, {}});
  require(started.has_value(), "a flow starts");

  auto const first = oauth::fuzz::section(sections, 0);
  auto const query = first.substr(std::min(first.size(), first.find('\n') + 1));
  auto const target = "/callback?" + std::string(query);
  auto const url = boost::urls::parse_origin_form(target);
  if (!url) return;
  oauth::FlowCallback callback;
  callback.session_id = "session-1";
  for (auto param : url->params()) {
    if (param.key == "state")
      callback.state = param.value == "ISSUED" ? started->state : std::string(param.value);
    else if (param.key == "code")
      callback.code = oauth::AuthorizationCode(std::string(param.value));
    else if (param.key == "error")
      callback.error = param.value;
    else if (param.key == "error_description")
      callback.error_description = param.value;
    else if (param.key == "iss")
      callback.iss = param.value;
    else if (param.key == "session")
      callback.session_id = param.value;
  }
  fixture.script->token = response_of(oauth::fuzz::section(sections, 1));
  fixture.script->userinfo = response_of(oauth::fuzz::section(sections, 2));
  fixture.script->token_requests = fixture.script->other_requests = 0;

  auto const expected = oauth::expected_issuer<P>();
  auto const iss = callback.iss ? std::optional<std::string_view>(*callback.iss) : std::nullopt;
  bool const ours = callback.state == started->state && callback.session_id == "session-1" &&
                    oauth::check_issuer(P::name, expected, iss).has_value() && callback.error.empty();

  std::optional<oauth::Result<oauth::Integration>> result;
  fixture.manager.async_complete_flow<P>(callback, [&](oauth::Result<oauth::Integration> r) { result = std::move(r); });
  fixture.io.restart();
  fixture.io.run();
  require(result.has_value(), "a callback completes");

  if (!ours) {
    require(!*result, "a callback that is not the flow's connects nothing");
    require(fixture.script->token_requests == 0 && fixture.script->other_requests == 0,
            "nothing is sent to the provider for a callback that is not the flow's");
  }
  if (!*result)
    require(oauth::fuzz::printable(result->error().message()), "a callback's error is one printable line");
  else
    require(!result->value().id.empty() && result->value().provider == P::name, "a connection is stored");
  auto const audit = fixture.store.audit_log({"tenant-1", user});
  require(audit.has_value(), "the audit log reads");
  for (auto const& event : *audit) require(oauth::fuzz::printable(event.reason), "an audit row is one printable line");
  auto const stored = fixture.store.list({"tenant-1", user});
  require(stored.has_value() && stored->size() == (*result ? 1u : 0u), "a connection is stored only when it is made");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  // A new manager and store now and then, so that a long run does not grow without end.
  static std::unique_ptr<Fixture> fixture;
  if (!fixture || fixture->users == 4096) fixture = std::make_unique<Fixture>();
  auto const sections = oauth::fuzz::sections(oauth::fuzz::as_text(data, size));
  auto const first = oauth::fuzz::section(sections, 0);
  oauth::fuzz::with_builtin_provider(first.substr(0, first.find('\n')),
                                     [&](auto type) { callback<typename decltype(type)::type>(*fixture, sections); });
  return 0;
}
