#include "support/flow_harness.hpp"

#include <gtest/gtest.h>

namespace oauth::testing {
namespace {

using providers::Notion;

struct NotionDatabases : ::testing::Test {
  NotionDatabases() : h({.api_items = 23, .api_page_size = 10}) {
    // Unpaced, so the listings here take no seconds; pacing has tests of its own.
    EXPECT_TRUE(h.manager.configure<Notion>(
        {"client-id", ClientSecret("client-secret"), {redirect_uri}, h.notion.base_url(), RateLimit{}}));
    integration = h.connect<Notion>().value();
  }
  providers::notion::Databases<AllProviders> databases(std::string user = "user-1") {
    return {h.manager, "tenant-1", std::move(user), integration.id};
  }

  FlowHarness h;
  Integration integration;
};

TEST(NotionIds, AreThirtyTwoHexDigitsPlainOrHyphenated) {
  EXPECT_EQ(providers::notion::normalize_id("897E5A76AE524B489FDFE71F5945D1AF"),
            "897e5a76-ae52-4b48-9fdf-e71f5945d1af");
  EXPECT_EQ(providers::notion::normalize_id("897e5a76-ae52-4b48-9fdf-e71f5945d1af"),
            "897e5a76-ae52-4b48-9fdf-e71f5945d1af");
  for (auto bad : {"", "897e5a76ae524b489fdfe71f5945d1a", "897e5a76ae524b489fdfe71f5945d1afa",
                   "897e5a76-ae524b48-9fdf-e71f5945d1af", "897e5a76ae524b489fdfe71f5945d1ag",
                   "../../v1/users/me000000000000000", "897e5a76-ae52-4b48-9fdf-e71f5945d1a-"})
    EXPECT_FALSE(providers::notion::normalize_id(bad)) << bad;
}

TEST(NotionIcons, AreEmojiOrUrl) {
  auto read = [](char const* json) { return providers::notion::read_database(boost::json::parse(json).as_object()); };
  auto emoji = read(R"({"id":"897e5a76ae524b489fdfe71f5945d1af","icon":{"type":"emoji","emoji":"x"}})");
  EXPECT_EQ(emoji->icon, (providers::notion::Icon{providers::notion::Icon::Kind::emoji, "x"}));
  auto file = read(R"({"id":"897e5a76ae524b489fdfe71f5945d1af","icon":{"type":"file","file":{"url":"https://f/x"}}})");
  EXPECT_EQ(file->icon, (providers::notion::Icon{providers::notion::Icon::Kind::url, "https://f/x"}));
  auto none = read(R"({"id":"897e5a76ae524b489fdfe71f5945d1af","icon":null,"title":[]})");
  EXPECT_FALSE(none->icon);
  EXPECT_EQ(none->title, "");
  EXPECT_EQ(read(R"({"id":"nope"})").error(), Errc::malformed_response);
}

// Found by the fuzzer: Boost.JSON reads 1e400 as infinity and writes it as "Infinity",
// so such a database, once cached, never read back.
TEST(NotionDatabaseObjects, ANumberPastADoublesRangeIsRefusedBeforeItIsCached) {
  auto object = boost::json::parse(R"({"id":"897e5a76ae524b489fdfe71f5945d1af","title":[1e400]})").as_object();
  EXPECT_EQ(providers::notion::read_database(object).error(), Errc::malformed_response);
  auto fine = boost::json::parse(R"({"id":"897e5a76ae524b489fdfe71f5945d1af","properties":{"n":{"max":1e300}}})");
  auto database = providers::notion::read_database(fine.as_object());
  ASSERT_TRUE(database);
  EXPECT_TRUE(providers::notion::from_cached(providers::notion::to_cached(*database)));
}

TEST_F(NotionDatabases, DiscoveryListsEveryPageAndCachesEachDatabase) {
  auto found = databases().refresh();
  ASSERT_TRUE(found) << found.error().message();
  ASSERT_EQ(found->size(), 23u);
  EXPECT_EQ(h.notion.requests("api POST /v1/search"), 3);
  auto const& first = found->front();  // by title: "Database 0", "Database 1", "Database 10", ...
  EXPECT_EQ(first.title, "Database 0");
  EXPECT_EQ(first.id, "00000001-0000-4000-8000-000000000001");
  ASSERT_TRUE(first.icon);
  EXPECT_EQ(first.icon->kind, providers::notion::Icon::Kind::emoji);
  EXPECT_EQ(first.properties.at("Done").at("type"), "checkbox");
  EXPECT_EQ(first.object.at("object"), "data_source");
  EXPECT_EQ(first.database_id, "00000001-0000-4000-8000-000000000002");
  EXPECT_GE(first.refreshed_at, h.clock() - std::chrono::seconds(5));

  // Read back from the cache: nothing asked of Notion.
  auto const asked = h.notion.requests("api");
  auto cached = databases().cached();
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->size(), 23u);
  auto one = databases().find("00000002000040008000000000000001");
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(one->title, "Database 1");
  ASSERT_TRUE(one->icon);
  EXPECT_EQ(one->icon->kind, providers::notion::Icon::Kind::url);
  EXPECT_EQ(one->icon->value, "https://img.example/1.png");
  EXPECT_EQ(h.notion.requests("api"), asked);
}

TEST_F(NotionDatabases, IdsAreCheckedBeforeAnything) {
  ASSERT_TRUE(databases().refresh());
  auto const asked = h.notion.requests("api");
  EXPECT_EQ(databases().find("not-a-database").error(), Errc::invalid_argument);
  auto missing = databases().find("ffffffff-ffff-4fff-8fff-ffffffffffff");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), Errc::not_found);
  EXPECT_EQ(user_facing_error<Notion>(missing.error()).code, "NOTION_DATABASE_NOT_FOUND");
  EXPECT_EQ(h.notion.requests("api"), asked);
}

TEST_F(NotionDatabases, ARefreshReplacesTheCacheAndAFailedOneLeavesIt) {
  ASSERT_TRUE(databases().refresh());
  h.notion.set_api_items(4);
  auto fewer = databases().refresh();
  ASSERT_TRUE(fewer);
  EXPECT_EQ(fewer->size(), 4u);
  EXPECT_EQ(databases().cached()->size(), 4u);

  h.notion.set_api_items(30);
  // The listing fails: the cache is left whole, not half written.
  h.notion.fail({.kind = FaultKind::not_found, .endpoint = "api"});
  auto failed = databases().refresh();
  ASSERT_FALSE(failed);
  EXPECT_EQ(databases().cached()->size(), 4u);
}

TEST_F(NotionDatabases, TheCacheIsTheOwnersAndGoesWithTheConnection) {
  ASSERT_TRUE(databases().refresh());
  EXPECT_EQ(databases("user-2").cached().error(), Errc::integration_not_found);
  EXPECT_EQ(databases("user-2").refresh().error(), Errc::integration_not_found);
  EXPECT_EQ(databases("user-2").find("00000002000040008000000000000001").error(), Errc::integration_not_found);
  // Another provider's integration has no Notion databases, and is never listed at Notion.
  auto google = h.connect<providers::Google>().value();
  providers::notion::Databases<AllProviders> const of_google(h.manager, "tenant-1", "user-1", google.id);
  EXPECT_EQ(of_google.cached().error(), Errc::invalid_argument);
  EXPECT_EQ(of_google.refresh().error(), Errc::integration_not_found);
  EXPECT_EQ(h.notion.requests("api"), 3);  // the one listing above

  ASSERT_TRUE(h.manager.disconnect<Notion>("tenant-1", "user-1", integration.id));
  EXPECT_TRUE(h.store.resources({"tenant-1", "user-1"}, integration.id, providers::notion::database_kind)->empty());
}

TEST_F(NotionDatabases, ARevokedConnectionNeedsReconnecting) {
  h.notion.revoke_everything();
  auto found = databases().refresh();
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error(), Errc::needs_reauth);
  EXPECT_EQ(user_facing_error<Notion>(found.error()).code, "NOTION_TOKEN_INVALID");
}

}  // namespace
}  // namespace oauth::testing
