#include <oauth/detail/async/rate_gate.hpp>
#include <oauth/detail/encoding/time.hpp>
#include <oauth/protocol/provider_error.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/providers/youtube.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string_view>

namespace oauth {
namespace {

HttpResponse answer(unsigned status, std::string body, HttpHeaders headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

TEST(ProviderError, Rfc6749CodesAreTypedAndNamed) {
  auto e = provider_error<providers::Google>(
      answer(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})"), "refresh");
  EXPECT_EQ(e, Errc::invalid_grant);
  EXPECT_EQ(e.provider, "google");
  EXPECT_EQ(e.provider_status, 400u);
  EXPECT_EQ(e.description, "google refresh: HTTP 400 invalid_grant: Token has been expired or revoked.");
}

TEST(ProviderError, GoogleRaptSubtypeIsKept) {
  auto e = provider_error<providers::Google>(
      answer(400,
             R"({"error":"invalid_grant","error_description":"reauth related error","error_subtype":"invalid_rapt"})"),
      "refresh");
  EXPECT_EQ(e, Errc::invalid_grant);
  EXPECT_NE(e.description.find("(invalid_rapt)"), std::string::npos);
}

TEST(ProviderError, MicrosoftAadstsBodiesKeepTheAadstsCode) {
  auto e = provider_error<providers::Microsoft<>>(
      answer(
          400,
          R"({"error":"invalid_scope","error_description":"AADSTS70011: The provided value for scope is not valid.\r\nTrace ID: 1\r\nCorrelation ID: 2","error_codes":[70011],"timestamp":"x","trace_id":"1","correlation_id":"2"})"),
      "code exchange");
  EXPECT_EQ(e, Errc::invalid_scope);
  EXPECT_NE(e.description.find("AADSTS70011: The provided value for scope is not valid."), std::string::npos);
  EXPECT_EQ(e.description.find("Trace ID"), std::string::npos);  // first line only
}

TEST(ProviderError, MicrosoftInteractionAndConsentRequired) {
  EXPECT_EQ(provider_error<providers::Microsoft<>>(answer(400, R"({"error":"interaction_required"})"), "refresh"),
            Errc::interaction_required);
  EXPECT_EQ(provider_error<providers::Microsoft<>>(answer(400, R"({"error":"consent_required"})"), "refresh"),
            Errc::consent_required);
  EXPECT_EQ(provider_error<providers::Microsoft<>>(answer(400, R"({"error":"temporarily_unavailable"})"), "refresh"),
            Errc::provider_unavailable);
}

TEST(ProviderError, GraphErrorObjects) {
  auto e = provider_error<providers::Microsoft<>>(
      answer(401, R"({"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}})"),
      "userinfo");
  EXPECT_EQ(e, Errc::unauthorized);
  EXPECT_NE(e.description.find("Access token has expired."), std::string::npos);
}

TEST(ProviderError, NotionErrorObjectsFollowTheirCode) {
  struct Case {
    unsigned status;
    char const* code;
    Errc expected;
  };
  Case const cases[] = {{400, "invalid_grant", Errc::invalid_grant},
                        {400, "missing_version", Errc::invalid_request},
                        {400, "validation_error", Errc::invalid_request},
                        {401, "unauthorized", Errc::unauthorized},
                        {403, "restricted_resource", Errc::forbidden},
                        {404, "object_not_found", Errc::not_found},
                        {409, "conflict_error", Errc::conflict},
                        {429, "rate_limited", Errc::rate_limited},
                        {500, "internal_server_error", Errc::provider_unavailable},
                        {503, "database_connection_unavailable", Errc::provider_unavailable},
                        {504, "gateway_timeout", Errc::provider_unavailable},
                        {529, "service_overload", Errc::rate_limited}};
  for (auto const& c : cases) {
    auto body = std::string(R"({"object":"error","status":)") + std::to_string(c.status) + R"(,"code":")" + c.code +
                R"(","message":"words"})";
    auto e = provider_error<providers::Notion>(answer(c.status, body), "api");
    EXPECT_EQ(e, c.expected) << c.code;
    EXPECT_NE(e.description.find(c.code), std::string::npos);
  }
}

TEST(ProviderError, YouTubeQuotaIsRateLimiting) {
  auto e = provider_error<providers::YouTube>(
      answer(
          403,
          R"({"error":{"code":403,"message":"quota","errors":[{"reason":"quotaExceeded","domain":"youtube.quota"}]}})"),
      "api");
  EXPECT_EQ(e, Errc::rate_limited);
  EXPECT_TRUE(is_transient(e));
}

TEST(ProviderError, RetryAfterSecondsAreRead) {
  auto e = provider_error<providers::Notion>(
      answer(429, R"({"object":"error","code":"rate_limited"})", {{"Retry-After", "7"}}), "api");
  ASSERT_TRUE(e.retry_after);
  EXPECT_EQ(*e.retry_after, std::chrono::seconds(7));
  // A date gone by means at once.
  auto dated =
      provider_error<providers::Notion>(answer(429, "", {{"retry-after", "Wed, 21 Oct 2026 07:28:00 GMT"}}), "api");
  EXPECT_EQ(dated, Errc::rate_limited);
  EXPECT_EQ(dated.retry_after, std::chrono::seconds(0));
}

TEST(ProviderError, RetryAfterDatesAreReadInAllThreeForms) {
  namespace pe = oauth::detail::provider_error;
  auto const now = std::chrono::sys_days(std::chrono::year(1994) / 11 / 6) + std::chrono::hours(8) +
                   std::chrono::minutes(49) + std::chrono::seconds(7);
  for (auto date : {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"})
    EXPECT_EQ(pe::retry_after(answer(429, "", {{"Retry-After", date}}), now), std::chrono::seconds(30)) << date;
  for (auto nonsense : {"soon", "-5", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                        "Sun, 06 Nov 1994 08:49:37 PST", "1.5", ""})
    EXPECT_FALSE(pe::retry_after(answer(429, "", {{"Retry-After", nonsense}}), now)) << nonsense;
  // At most a day, whatever is asked.
  EXPECT_EQ(pe::retry_after(answer(429, "", {{"Retry-After", "Sun, 06 Nov 2094 08:49:37 GMT"}}), now),
            std::chrono::hours(24));
  EXPECT_EQ(pe::retry_after(answer(429, "", {{"Retry-After", "999999999"}}), now), std::chrono::hours(24));
  auto const round_trip = oauth::detail::encoding::to_http_date(std::chrono::floor<std::chrono::seconds>(now));
  EXPECT_EQ(round_trip, "Sun, 06 Nov 1994 08:49:07 GMT");
  EXPECT_EQ(oauth::detail::encoding::parse_http_date(round_trip), std::chrono::floor<std::chrono::seconds>(now));
}

// Found by the fuzzer: a date centuries back overflowed a nanosecond count on the way to
// a wait.
TEST(ProviderError, RetryAfterAFarDateIsAWaitInSecondsWithoutOverflow) {
  namespace pe = oauth::detail::provider_error;
  auto const now = std::chrono::system_clock::now();
  EXPECT_EQ(pe::retry_after(answer(429, "", {{"Retry-After", "Sun, 06 Nov 0948 00:49:37 GMT"}}), now),
            std::chrono::seconds(0));
  EXPECT_EQ(pe::retry_after(answer(429, "", {{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}}), now),
            std::chrono::hours(24));
  EXPECT_FALSE(pe::retry_after(answer(429, "", {{"Retry-After", "Sunday, 06-Nov-948 0:49:37 GMT"}}), now));
  // More digits than any integer holds is still "a long time".
  EXPECT_EQ(pe::retry_after(answer(429, "", {{"Retry-After", "99999999999999999999999999"}}), now),
            std::chrono::hours(24));
  EXPECT_FALSE(pe::retry_after(answer(429, "", {{"Retry-After", "+5"}}), now));
}

/// How long `gates` has the next caller of `key` under `limit` wait for its slot.
std::chrono::microseconds reserve(oauth::detail::async::RateGates& gates, std::string_view key, oauth::RateLimit limit,
                                  std::chrono::steady_clock::time_point now) {
  return gates.slot(key, oauth::RateSpacing::of(limit), oauth::SlotRequest::reserve, now).wait;
}

TEST(RateGates, SpaceCallersAtTheRateAfterTheBurst) {
  oauth::detail::async::RateGates gates;
  auto const now = std::chrono::steady_clock::now();
  oauth::RateLimit const limit{10.0, 3};
  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 6; ++i)
    waits.push_back(std::chrono::round<std::chrono::milliseconds>(reserve(gates, "a", limit, now)));
  EXPECT_EQ(waits,
            (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(0), std::chrono::milliseconds(0),
                                                    std::chrono::milliseconds(0), std::chrono::milliseconds(100),
                                                    std::chrono::milliseconds(200), std::chrono::milliseconds(300)}));
  // Another credential has a bucket of its own; no limit waits for nothing.
  EXPECT_EQ(reserve(gates, "b", limit, now), std::chrono::microseconds::zero());
  EXPECT_EQ(reserve(gates, "a", oauth::RateLimit{}, now), std::chrono::microseconds::zero());
  // A bucket idle long enough is full again.
  EXPECT_EQ(reserve(gates, "a", limit, now + std::chrono::seconds(10)), std::chrono::microseconds::zero());
}

// What samples the audit rows nobody is named in: a burst, then the rate, and a refusal
// reserves nothing (a flood does not push the next sample further away).
TEST(RateGates, TryTakeTakesAFreeSlotOrNoneAndReservesNothing) {
  oauth::detail::async::RateGates gates;
  auto const now = std::chrono::steady_clock::now();
  oauth::RateLimit const limit{1.0, 3};
  std::vector<bool> taken;
  for (int i = 0; i < 5; ++i) taken.push_back(gates.try_take("a", limit, now));
  EXPECT_EQ(taken, (std::vector<bool>{true, true, true, false, false}));
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(gates.try_take("a", limit, now + std::chrono::milliseconds(500)));
  EXPECT_TRUE(gates.try_take("a", limit, now + std::chrono::seconds(1)));
  EXPECT_FALSE(gates.try_take("a", limit, now + std::chrono::seconds(1)));
  EXPECT_TRUE(gates.try_take("b", limit, now));               // a bucket of its own
  EXPECT_TRUE(gates.try_take("a", oauth::RateLimit{}, now));  // no limit
}

// What a 429's Retry-After is made from: how long until the refused caller's slot.
TEST(RateGates, ARefusedTakeSaysHowLongUntilASlotIsFree) {
  using oauth::SlotRequest;
  oauth::detail::async::RateGates gates;
  auto const now = std::chrono::steady_clock::now();
  auto const spacing = oauth::RateSpacing::of(10.0, 2);
  EXPECT_TRUE(gates.slot("a", spacing, SlotRequest::take_if_free, now).granted);
  EXPECT_TRUE(gates.slot("a", spacing, SlotRequest::take_if_free, now).granted);
  auto const refused = gates.slot("a", spacing, SlotRequest::take_if_free, now);
  EXPECT_FALSE(refused.granted);
  EXPECT_EQ(refused.wait, std::chrono::milliseconds(100));
  auto const later = gates.slot("a", spacing, SlotRequest::take_if_free, now + std::chrono::milliseconds(60));
  EXPECT_FALSE(later.granted);
  EXPECT_EQ(later.wait, std::chrono::milliseconds(40));
  EXPECT_TRUE(gates.slot("a", spacing, SlotRequest::take_if_free, now + std::chrono::milliseconds(100)).granted);
}

TEST(RateSpacing, ARateAndABurstBecomeAnIntervalAndATolerance) {
  using oauth::RateSpacing;
  auto const five = RateSpacing::of(5.0, 3);
  EXPECT_EQ(five.interval, std::chrono::milliseconds(200));
  EXPECT_EQ(five.tolerance, std::chrono::milliseconds(400));
  EXPECT_EQ(RateSpacing::of(5.0, 0).tolerance, std::chrono::microseconds(0));  // a burst of one at least
  EXPECT_EQ(RateSpacing::of(1e9, 1).interval, std::chrono::microseconds(1));   // no finer than the store keeps
  EXPECT_EQ(RateSpacing::of(1e-300, 1).interval, std::chrono::seconds(1'000'000));
  for (double none : {0.0, -1.0, std::nan("")}) EXPECT_FALSE(RateSpacing::of(none, 5).limits()) << none;
}

TEST(RateGates, IdleBucketsAreSweptSoTheyCannotPileUp) {
  oauth::detail::async::RateGates gates;
  auto const now = std::chrono::steady_clock::now();
  oauth::RateLimit const limit{10.0, 1};
  for (int i = 0; i < 10'000; ++i) reserve(gates, "first-" + std::to_string(i), limit, now);
  EXPECT_EQ(gates.tracked(), 10'000u);  // each has a slot ahead of it: live
  for (int i = 0; i < 10'000; ++i) reserve(gates, "second-" + std::to_string(i), limit, now + std::chrono::seconds(1));
  // A second on, the first ones hold nothing a fresh bucket would not, and went.
  EXPECT_LE(gates.tracked(), 10'000u);
}

TEST(ProviderError, WithoutAJsonBodyTheStatusDecides) {
  EXPECT_EQ(provider_error<providers::Google>(answer(502, "<html>Bad Gateway</html>"), "refresh"),
            Errc::provider_unavailable);
  EXPECT_EQ(provider_error<providers::Google>(answer(401, ""), "refresh"), Errc::unauthorized);
  EXPECT_EQ(provider_error<providers::Google>(answer(418, "teapot"), "refresh"), Errc::provider_error);
  EXPECT_EQ(
      provider_error<providers::Google>(answer(302, "", {{"Location", "https://x.example/?code=abc"}}), "refresh"),
      Errc::redirect_refused);
  EXPECT_EQ(provider_error<providers::Google>(answer(302, "", {{"Location", "https://x.example/?code=abc"}}), "refresh")
                .description.find("code=abc"),
            std::string::npos);
}

TEST(ProviderError, ATransientStatusIsNotHiddenByAGenericName) {
  EXPECT_EQ(provider_error<providers::Google>(answer(503, R"({"error":"invalid_request"})"), "refresh"),
            Errc::provider_unavailable);
}

TEST(ProviderError, ProviderTextIsBoundedToOnePrintableLine) {
  auto e = provider_error<providers::Google>(
      answer(400, R"({"error":"invalid_request","error_description":")" + std::string(5000, 'a') + "\\u0007" + R"("})"),
      "refresh");
  EXPECT_LT(e.description.size(), 300u);
  EXPECT_NE(e.description.find("..."), std::string::npos);
}

}  // namespace
}  // namespace oauth
