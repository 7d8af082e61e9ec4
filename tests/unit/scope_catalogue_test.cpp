#include "support/test_providers.hpp"

#include <oauth/providers/google.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/providers/notion.hpp>
#include <oauth/scope_catalogue.hpp>

#include <gtest/gtest.h>

namespace {

using oauth::providers::Google;
using oauth::providers::Microsoft;
using oauth::providers::Notion;
using Strings = std::vector<std::string_view>;

TEST(Scopes, RequiredScopesComeFirstAndEachScopeOnce) {
  auto scopes = oauth::resolve_scopes<Google>(
      Strings{"https://www.googleapis.com/auth/drive.file", "email", "https://www.googleapis.com/auth/drive.file"});
  ASSERT_TRUE(scopes) << scopes.error().message();
  EXPECT_EQ(*scopes, (Strings{"openid", "email", "profile", "https://www.googleapis.com/auth/drive.file"}));
}

TEST(Scopes, UnknownScopesAreRejectedWithTheirNames) {
  auto scopes = oauth::resolve_scopes<Google>(Strings{"calendar.readonly", "calendar.superuser", "", "drive.owner"});
  ASSERT_FALSE(scopes);
  EXPECT_EQ(scopes.error(), oauth::Errc::unknown_scope);
  EXPECT_EQ(scopes.error().description, "unknown scope for google: calendar.superuser, \"\", drive.owner");
}

TEST(Scopes, ShortAndFullFormsNameTheSameScope) {
  EXPECT_EQ(oauth::resolve_scopes<Google>(Strings{"calendar.readonly"}).value().back(),
            "https://www.googleapis.com/auth/calendar.readonly");
  EXPECT_EQ(oauth::resolve_scopes<Microsoft<>>(Strings{"https://graph.microsoft.com/Mail.Read"}).value().back(),
            "Mail.Read");
  EXPECT_EQ(oauth::find_scope<Google>("https://mail.google.com/")->set, "gmail");
  EXPECT_EQ(oauth::find_scope<Google>("mail.google.com/"), nullptr);
}

TEST(Scopes, AnEntryMayHoldSeveralSpaceSeparatedScopes) {
  auto scopes = oauth::resolve_scopes<Microsoft<>>(Strings{"User.Read  Mail.Read", " "});
  ASSERT_FALSE(scopes);  // the blank entry names no scope
  EXPECT_EQ(oauth::resolve_scopes<Microsoft<>>(Strings{"User.Read  Mail.Read"}).value(),
            (Strings{"openid", "profile", "email", "offline_access", "User.Read", "Mail.Read"}));
}

TEST(Scopes, JoinedWithTheProvidersSeparator) {
  Strings const google{"openid", "email"};
  EXPECT_EQ(oauth::join_scopes<Google>(google), "openid email");
  Strings const acme{"profile", "orders:read"};
  EXPECT_EQ(oauth::join_scopes<oauth::test::Acme>(acme), "profile,orders:read");
  EXPECT_EQ(oauth::join_scopes<Google>(Strings{}), "");
}

TEST(Scopes, ProvidersWithoutScopesAcceptNone) {
  EXPECT_TRUE(oauth::resolve_scopes<Notion>(Strings{}).value().empty());
  EXPECT_EQ(oauth::resolve_scopes<Notion>(Strings{"read_content"}).error(), oauth::Errc::unknown_scope);
}

TEST(Scopes, SetsGroupTheCatalogue) {
  EXPECT_EQ(oauth::scope_sets<Google>(), (Strings{"calendar", "tasks", "drive", "gmail"}));
  EXPECT_EQ(oauth::scope_sets<Microsoft<>>(), (Strings{"profile", "calendars", "files", "mail", "teams", "sites"}));
  auto drive = oauth::scopes_in_set<Google>("drive");
  ASSERT_EQ(drive.size(), 3u);
  EXPECT_EQ(drive[0].name, "https://www.googleapis.com/auth/drive");
  EXPECT_TRUE(drive[0].dangerous);
  EXPECT_EQ(drive[2].category, oauth::ScopeCategory::read);
  EXPECT_TRUE(oauth::scopes_in_set<Google>("photos").empty());
  EXPECT_TRUE(oauth::scopes_in_set<Google>("").empty());
}

}  // namespace
