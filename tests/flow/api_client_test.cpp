#include "support/flow_harness.hpp"

#include <oauth/detail/api/target.hpp>

#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <algorithm>

namespace oauth::testing {
namespace {

using providers::Google;
using providers::Microsoft;
using providers::Notion;
using Clock = std::chrono::steady_clock;

/// A harness with one connected integration of P, and its client.
template <class P>
struct Connected {
  explicit Connected(MockOptions options = {}, ManagerOptions manager_options = {})
      : h(options, std::move(manager_options)) {
    auto connected = h.connect<P>("user-1", FlowHarness::refreshable_scopes<P>());
    if (!connected) throw std::runtime_error(connected.error().message());
    integration = *connected;
  }
  auto client() { return h.manager.client<P>("tenant-1", "user-1", integration.id); }
  MockProvider& mock() { return h.mock<P>(); }
  IntegrationStatus status() { return h.manager.integration("tenant-1", "user-1", integration.id)->status; }

  FlowHarness h;
  Integration integration;
};

/// The most requests that arrived within any one second.
int busiest_second(std::vector<Clock::time_point> times) {
  std::sort(times.begin(), times.end());
  int most = 0;
  for (std::size_t first = 0, last = 0; last < times.size(); ++last) {
    while (times[last] - times[first] >= std::chrono::seconds(1)) ++first;
    most = std::max(most, static_cast<int>(last - first + 1));
  }
  return most;
}

// ---- pagination ---------------------------------------------------------------------

TEST(ApiPagination, NotionCursorsAreFollowedThroughEveryPage) {
  Connected<Notion> c({.api_items = 95, .api_page_size = 10});
  c.h.manager.configure<Notion>(
      {"client-id", ClientSecret("client-secret"), {redirect_uri}, c.mock().base_url(), RateLimit{}});
  auto pages = all_pages(c.client(), providers::notion::database_search());
  ASSERT_TRUE(pages) << pages.error().message();
  EXPECT_TRUE(pages->complete);
  EXPECT_EQ(pages->pages, 10u);
  ASSERT_EQ(pages->items.size(), 95u);
  for (std::size_t i = 0; i < pages->items.size(); ++i)
    EXPECT_EQ(providers::notion::read_database(pages->items[i].as_object())->title, "Database " + std::to_string(i));
  EXPECT_EQ(c.mock().requests("api POST /v1/search"), 10);
  // The cursor rides in the body of a POST, with the filter kept.
  auto const last = boost::json::parse(c.mock().last_body("api")).as_object();
  EXPECT_EQ(last.at("start_cursor"), "cursor-90");
  EXPECT_EQ(last.at("filter").at("value"), "data_source");
}

TEST(ApiPagination, GraphNextLinksAreFollowedOnTheProvidersHostOnly) {
  Connected<Microsoft<>> c({.api_items = 57, .api_page_size = 20});
  auto pages = all_pages(c.client(), ApiRequest::get("/v1.0/me/messages"));
  ASSERT_TRUE(pages) << pages.error().message();
  EXPECT_TRUE(pages->complete);
  EXPECT_EQ(pages->pages, 3u);
  ASSERT_EQ(pages->items.size(), 57u);
  EXPECT_EQ(pages->items.back().at("subject"), "Message 56");
}

TEST(ApiPagination, GooglePageTokensAreFollowed) {
  Connected<Google> c({.api_items = 25, .api_page_size = 10});
  auto pages = all_pages(c.client(), ApiRequest::get("/calendar/v3/users/me/calendarList?maxResults=10"));
  ASSERT_TRUE(pages) << pages.error().message();
  EXPECT_TRUE(pages->complete);
  EXPECT_EQ(pages->pages, 3u);
  ASSERT_EQ(pages->items.size(), 25u);
  EXPECT_EQ(pages->items.front().at("id"), "calendar-0");
  EXPECT_EQ(pages->items.back().at("id"), "calendar-24");
  EXPECT_EQ(c.mock().requests("api GET /calendar/v3/users/me/calendarList"), 3);
}

TEST(ApiPagination, ThePageCapStopsTheWalkAndSaysSo) {
  Connected<Google> c({.api_items = 100, .api_page_size = 10});
  auto pages = all_pages(c.client(), ApiRequest::get("/calendar/v3/users/me/calendarList"), {.max_pages = 3});
  ASSERT_TRUE(pages) << pages.error().message();
  EXPECT_FALSE(pages->complete);
  EXPECT_EQ(pages->pages, 3u);
  EXPECT_EQ(pages->items.size(), 30u);
  EXPECT_EQ(c.mock().requests("api"), 3);
}

TEST(ApiPagination, APageWithoutItsListIsAMalformedResponse) {
  Connected<Google> c({.api_items = 5});
  auto pages = all_pages(c.client(), ApiRequest::get("/calendar/v3/users/me/calendarList"), {.items_key = "files"});
  ASSERT_FALSE(pages);
  EXPECT_EQ(pages.error(), Errc::malformed_response);
}

// ---- tokens: 401, refresh, revocation ------------------------------------------------

TEST(ApiClient, TheCurrentTokenAndTheProvidersHeadersAreSent) {
  Connected<Notion> c;
  auto answer = c.client().json(ApiRequest::get("/v1/users/me"));
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(answer->at("type"), "bot");
  auto const headers = c.mock().last_headers("api");
  EXPECT_EQ(headers.at("notion-version"), Notion::api_version);
  auto const token = c.h.manager.get_access_token<Notion>("tenant-1", "user-1", c.integration.id).value();
  EXPECT_EQ(headers.at("authorization"), "Bearer " + std::string(token.access_token.reveal()));
}

TEST(ApiClient, ATokenIsNeverSentToAnotherHost) {
  Connected<Notion> c;
  for (auto target : {"https://evil.example/v1/users/me", "http://127.0.0.1:1/v1/users/me", "ftp://api.notion.com/x",
                      "https://api.notion.com.evil.example/v1/users/me", "v1/users/me"}) {
    auto answer = c.client().send(ApiRequest::get(target));
    ASSERT_FALSE(answer) << target;
    EXPECT_EQ(answer.error(), Errc::invalid_argument) << target;
    EXPECT_EQ(answer.error().message().find("evil.example/v1"), std::string::npos);
  }
  EXPECT_EQ(c.mock().requests("api"), 0);
  // The provider's own host is moved to the configured endpoint base.
  EXPECT_TRUE(c.client().send(ApiRequest::get("https://api.notion.com/v1/users/me")));
  EXPECT_EQ(c.mock().requests("api"), 1);
}

// Found by the fuzzer: a path that no URL can carry was joined to the API base as if it
// were one.
TEST(ApiClient, APathNoUrlCanCarryIsRefusedBeforeItIsJoined) {
  for (auto target : {"/v1/[earch", "/v1/search?x=\"y\"", "/v1/ search", "/v1/search#top", "/v1/%zz"}) {
    auto resolved = oauth::detail::api::resolve_target<Notion>(target, "");
    ASSERT_FALSE(resolved) << target << " became " << resolved.value();
    EXPECT_EQ(resolved.error(), Errc::invalid_argument);
  }
  EXPECT_EQ(oauth::detail::api::resolve_target<Notion>("/v1/search?page_size=10", "").value(),
            "https://api.notion.com/v1/search?page_size=10");
}

TEST(ApiClient, A401ThatARefreshCuresIsRetriedOnce) {
  Connected<Microsoft<>> c({.api_items = 3});
  c.mock().fail({.kind = FaultKind::unauthorized, .endpoint = "api"});
  auto answer = c.client().send(ApiRequest::get("/v1.0/me/messages"));
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(answer->attempts, 2);
  EXPECT_EQ(c.mock().requests("token.refresh_token"), 1);
  EXPECT_EQ(c.status(), IntegrationStatus::active);
}

TEST(ApiClient, A401ThatARefreshDoesNotCureNeedsTheUserAgain) {
  Connected<Notion> c;
  c.mock().fail({.kind = FaultKind::unauthorized, .endpoint = "api", .times = 2});
  auto answer = c.client().send(ApiRequest::get("/v1/users/me"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::needs_reauth);
  EXPECT_EQ(c.mock().requests("token.refresh_token"), 1);
  EXPECT_EQ(c.mock().requests("api"), 2);
  EXPECT_EQ(c.status(), IntegrationStatus::needs_reauth);
  auto const shown = user_facing_error<Notion>(answer.error());
  EXPECT_EQ(shown.code, "NOTION_TOKEN_INVALID");
  EXPECT_EQ(shown.http_status, 401u);
  // Nothing more is sent for it until the user reconnects.
  EXPECT_EQ(c.client().send(ApiRequest::get("/v1/users/me")).error(), Errc::needs_reauth);
  EXPECT_EQ(c.mock().requests("api"), 2);
}

TEST(ApiClient, ARevokedGrantNeedsTheUserAgain) {
  Connected<Google> c({.api_items = 3});
  c.mock().revoke_everything();
  auto answer = c.client().send(ApiRequest::get("/calendar/v3/users/me/calendarList"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::needs_reauth);
  EXPECT_EQ(c.status(), IntegrationStatus::needs_reauth);
  ASSERT_EQ(c.h.reauth_events.size(), 1u);
  EXPECT_EQ(c.h.reauth_events.front().integration_id, c.integration.id);
}

TEST(ApiClient, ConcurrentCallersRefusedTogetherShareOneRefresh) {
  Connected<Microsoft<>> c({.api_items = 3});
  c.mock().expire_access_tokens();
  auto const client = c.client();
  std::vector<std::future<Result<ApiResponse>>> calls;
  for (int i = 0; i < 20; ++i)
    calls.push_back(client.async_send(ApiRequest::get("/v1.0/me/messages"), boost::asio::use_future));
  for (auto& call : calls) {
    auto answer = call.get();
    EXPECT_TRUE(answer) << answer.error().message();
  }
  EXPECT_EQ(c.mock().requests("token.refresh_token"), 1);
  EXPECT_EQ(c.status(), IntegrationStatus::active);
}

TEST(ApiClient, AProviderThatCannotRefreshNeedsTheUserAgainAt401) {
  // A Notion integration from before refresh tokens: none was issued.
  Connected<Notion> c;
  auto record = c.h.store.find({"tenant-1", "user-1"}, c.integration.id).value();
  auto const version = record.version;
  record.refresh_token_ciphertext.clear();
  ASSERT_TRUE(c.h.store.backend().update_tokens(std::move(record), version));
  c.mock().fail({.kind = FaultKind::unauthorized, .endpoint = "api"});
  auto answer = c.client().send(ApiRequest::get("/v1/users/me"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::needs_reauth);
  EXPECT_EQ(c.mock().requests("token.refresh_token"), 0);
  EXPECT_EQ(c.mock().requests("api"), 1);
}

TEST(ApiClient, EachMethodIsSentWithItsBodyAndOnlyIdempotentOnesAreRetriedAfterA5xx) {
  Connected<Microsoft<>> c;
  boost::json::object const body{{"n", 1}};
  for (auto [method, name] : {std::pair{HttpMethod::post, "POST"}, std::pair{HttpMethod::put, "PUT"},
                              std::pair{HttpMethod::patch, "PATCH"}, std::pair{HttpMethod::delete_, "DELETE"}}) {
    auto answer = c.client().json(ApiRequest::json(method, "/v1/echo", body));
    ASSERT_TRUE(answer) << name << ": " << answer.error().message();
    EXPECT_EQ(answer->at("method"), name);
    EXPECT_EQ(answer->at("body"), R"({"n":1})");
  }
  auto deleted = c.client().json(ApiRequest::del("/v1/echo"));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->at("method"), "DELETE");
  EXPECT_EQ(deleted->at("body"), "");

  // One 500 each: PUT and DELETE may go again; PATCH, like POST, may not.
  for (auto [method, retried] :
       {std::pair{HttpMethod::put, true}, std::pair{HttpMethod::delete_, true}, std::pair{HttpMethod::patch, false}}) {
    c.mock().fail({.kind = FaultKind::server_error, .endpoint = "api"});
    auto const before = c.mock().requests("api");
    auto answer = c.client().send(ApiRequest::json(method, "/v1/echo", body));
    EXPECT_EQ(static_cast<bool>(answer), retried) << method_name(method);
    EXPECT_EQ(c.mock().requests("api") - before, retried ? 2 : 1) << method_name(method);
  }
}

// ---- rate limits and passing failures ------------------------------------------------

TEST(ApiClient, A429IsRetriedAfterRetryAfterInSeconds) {
  Connected<Notion> c;
  c.mock().fail({.kind = FaultKind::rate_limited, .endpoint = "api", .retry_after_seconds = 1});
  auto const started = Clock::now();
  auto answer = c.client().send(ApiRequest::get("/v1/users/me"));
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(950));
  EXPECT_EQ(answer->attempts, 2);
}

TEST(ApiClient, A429IsRetriedAfterRetryAfterAsAnHttpDate) {
  Connected<Microsoft<>> c({.api_items = 1});
  c.mock().fail(
      {.kind = FaultKind::rate_limited, .endpoint = "api", .retry_after_seconds = 2, .retry_after_as_date = true});
  auto const started = Clock::now();
  auto answer = c.client().send(ApiRequest::get("/v1.0/me/messages"));
  ASSERT_TRUE(answer) << answer.error().message();
  // The date has a resolution of a second: two seconds ahead is more than one from now.
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(950));
  EXPECT_EQ(answer->attempts, 2);
}

TEST(ApiClient, NotionsOverload529IsTreatedLike429EvenOnPost) {
  Connected<Notion> c({.api_items = 2});
  c.mock().fail({.kind = FaultKind::overloaded, .endpoint = "api", .retry_after_seconds = 0, .times = 2});
  auto answer = c.client().send(providers::notion::database_search());
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(answer->attempts, 3);
}

TEST(ApiClient, ARetryAfterBeyondTheTimeBudgetIsNotWaitedFor) {
  Connected<Notion> c;
  c.mock().fail({.kind = FaultKind::rate_limited, .endpoint = "api", .retry_after_seconds = 3600});
  auto answer = c.client().send(ApiRequest::get("/v1/users/me"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::rate_limited);
  EXPECT_EQ(answer.error().retry_after, std::chrono::seconds(3600));
  // Given up at once: one request, never a second after a wait (which would outlast the test).
  EXPECT_EQ(c.mock().requests("api"), 1);
  EXPECT_EQ(user_facing_error<Notion>(answer.error()).code, "NOTION_RATE_LIMITED");
}

TEST(ApiClient, ServerErrorsAreRetriedOnGetWithBackoff) {
  Connected<Google> c({.api_items = 1});
  for (auto kind : {FaultKind::server_error, FaultKind::bad_gateway, FaultKind::gateway_timeout})
    c.mock().fail({.kind = kind, .endpoint = "api"});
  auto answer = c.client().send(ApiRequest::get("/calendar/v3/users/me/calendarList"));
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(answer->attempts, 4);
}

TEST(ApiClient, ServerErrorsAreNotRetriedOnPost) {
  Connected<Notion> c({.api_items = 2});
  c.mock().fail({.kind = FaultKind::server_error, .endpoint = "api"});
  auto answer = c.client().send(providers::notion::database_search());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::provider_unavailable);
  EXPECT_EQ(answer.error().provider_status, 500u);
  EXPECT_EQ(c.mock().requests("api"), 1);
  EXPECT_EQ(c.status(), IntegrationStatus::active);
}

TEST(ApiClient, RetriesStopAtTheAttemptBound) {
  Connected<Google> c({.api_items = 1});
  c.mock().fail({.kind = FaultKind::unavailable, .endpoint = "api", .retry_after_seconds = 0, .times = 10});
  auto answer = c.client().send(ApiRequest::get("/calendar/v3/users/me/calendarList"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::provider_unavailable);
  EXPECT_EQ(c.mock().requests("api"), ManagerOptions{}.api_retry.max_attempts);
}

// max_total bounds the whole call, waits included: a provider asking for two seconds
// at a time gets a second attempt within three, and no third, though ten were allowed.
TEST(ApiClient, RetriesStopWhereTheNextWaitWouldPassMaxTotal) {
  ManagerOptions options;
  options.api_retry = {.max_attempts = 10, .max_total = std::chrono::seconds(3)};
  Connected<Google> c({.api_items = 1}, options);
  c.mock().fail({.kind = FaultKind::rate_limited, .endpoint = "api", .retry_after_seconds = 2, .times = 10});
  auto answer = c.client().send(ApiRequest::get("/calendar/v3/users/me/calendarList"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::rate_limited);
  EXPECT_EQ(c.mock().requests("api"), 2);
}

TEST(ApiClient, TheRateLimiterKeepsConcurrentCallersUnderTheConfiguredRate) {
  Connected<Notion> c;
  RateLimit const limit{25.0, 5};
  ASSERT_TRUE(c.h.manager.configure<Notion>(
      {"client-id", ClientSecret("client-secret"), {redirect_uri}, c.mock().base_url(), limit}));
  auto const client = c.client();
  std::vector<std::future<Result<ApiResponse>>> calls;
  for (int i = 0; i < 100; ++i)
    calls.push_back(client.async_send(ApiRequest::get("/v1/users/me"), boost::asio::use_future));
  for (auto& call : calls) ASSERT_TRUE(call.get());
  auto times = c.mock().api_request_times();
  ASSERT_EQ(times.size(), 100u);
  std::sort(times.begin(), times.end());
  // Five at once, then one every 40 ms: the 95 after the burst span 3.8 s at the mock.
  EXPECT_LE(busiest_second(times), 25 + 5);
  EXPECT_GE(times.back() - times.front(), std::chrono::milliseconds(3700));
}

TEST(ApiClient, NotionIsPacedAtItsOwnLimitByDefault) {
  static_assert(Notion::api_rate_limit.per_second == 3.0);
  Connected<Notion> c;
  auto const client = c.client();
  std::vector<std::future<Result<ApiResponse>>> calls;
  for (int i = 0; i < 12; ++i)
    calls.push_back(client.async_send(ApiRequest::get("/v1/users/me"), boost::asio::use_future));
  for (auto& call : calls) ASSERT_TRUE(call.get());
  EXPECT_LE(busiest_second(c.mock().api_request_times()), 3 + Notion::api_rate_limit.burst);
}

// ---- errors --------------------------------------------------------------------------

TEST(ApiErrors, NotionsCodesBecomeTheProductsAndKeepTheProvidersWordsForLogs) {
  Connected<Notion> c;
  struct Case {
    FaultKind kind;
    Errc code;
    char const* product;
    unsigned status;
  };
  for (auto [kind, code, product, status] :
       {Case{FaultKind::not_found, Errc::not_found, "NOTION_DATABASE_NOT_FOUND", 404},
        Case{FaultKind::forbidden, Errc::forbidden, "NOTION_ACCESS_DENIED", 403}}) {
    c.mock().fail({.kind = kind, .endpoint = "api"});
    auto answer = c.client().send(ApiRequest::get("/v1/users/me"));
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error(), code);
    auto const shown = user_facing_error<Notion>(answer.error());
    EXPECT_EQ(shown.code, product);
    EXPECT_EQ(shown.http_status, status);
    // The provider's words are in the log message, never in the user's.
    EXPECT_NE(answer.error().message().find(kind == FaultKind::not_found ? "object_not_found" : "restricted_resource"),
              std::string::npos);
    EXPECT_EQ(shown.message.find("Could not find"), std::string::npos);
  }
  c.mock().fail({.kind = FaultKind::bad_gateway, .endpoint = "api", .times = 4});
  auto failing = c.client().send(ApiRequest::get("/v1/users/me"));
  ASSERT_FALSE(failing);
  EXPECT_EQ(user_facing_error<Notion>(failing.error()).code, "NOTION_API_ERROR");
}

TEST(ApiErrors, GraphAndGoogleErrorsAreReadInTheirOwnShapes) {
  Connected<Microsoft<>> m({.api_items = 1});
  m.mock().fail({.kind = FaultKind::forbidden, .endpoint = "api"});
  auto graph = m.client().send(ApiRequest::get("/v1.0/me/messages"));
  ASSERT_FALSE(graph);
  EXPECT_EQ(graph.error(), Errc::forbidden);
  EXPECT_NE(graph.error().message().find("Insufficient permissions"), std::string::npos);
  EXPECT_EQ(user_facing_error<Microsoft<>>(graph.error()).code, "MICROSOFT_ACCESS_DENIED");

  Connected<Google> g({.api_items = 1});
  g.mock().fail({.kind = FaultKind::not_found, .endpoint = "api"});
  auto google = g.client().send(ApiRequest::get("/calendar/v3/users/me/calendarList"));
  ASSERT_FALSE(google);
  EXPECT_EQ(google.error(), Errc::not_found);
  EXPECT_NE(google.error().message().find("notFound"), std::string::npos);
  EXPECT_EQ(user_facing_error<Google>(google.error()).code, "GOOGLE_NOT_FOUND");
}

TEST(ApiClient, AnotherUsersIntegrationIsNotFoundAndNothingIsSent) {
  Connected<Notion> c;
  auto answer =
      c.h.manager.client<Notion>("tenant-1", "user-2", c.integration.id).send(ApiRequest::get("/v1/users/me"));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::integration_not_found);
  EXPECT_EQ(c.mock().requests("api"), 0);
}

}  // namespace
}  // namespace oauth::testing
