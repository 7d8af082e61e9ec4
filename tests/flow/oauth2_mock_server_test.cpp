// The whole flow against a real OAuth server from npm (oauth2-mock-server), with a
// provider the library has never heard of: custom providers work end to end.
#include "support/child_process.hpp"
#include "support/flow_harness.hpp"

#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace oauth::testing {
namespace {

/// A company's own authorization server, described the way any user would.
struct AcmeIdentity {
  static constexpr std::string_view name = "acme";
  static constexpr std::string_view authorization_endpoint = "https://id.acme.example/authorize";
  static constexpr std::string_view token_endpoint = "https://id.acme.example/token";
  static constexpr std::string_view userinfo_endpoint = "https://id.acme.example/userinfo";
  static constexpr std::string_view revocation_endpoint = "https://id.acme.example/revoke";
  static constexpr std::string_view issuer = "https://id.acme.example";
  static constexpr bool authorization_response_iss_parameter_supported = true;
  static constexpr RevocationStyle revocation_style = RevocationStyle::rfc7009;
  static constexpr ClientAuth token_auth = ClientAuth::basic;
  static constexpr BodyFormat token_body = BodyFormat::form;
  static constexpr bool supports_refresh = true;
  static constexpr bool rotates_refresh_token = true;
  static constexpr bool supports_pkce = true;
  static constexpr std::string_view scope_separator = " ";
  static constexpr auto scopes = std::array{
      Scope{.name = "openid", .description = "Sign you in", .category = ScopeCategory::read, .required = true},
      Scope{.name = "orders:read", .description = "See your orders", .category = ScopeCategory::read, .set = "orders"},
  };
  static Result<UserInfo> map_user_info(boost::json::object const& json) noexcept {
    JsonFields fields(json, "acme userinfo", Errc::invalid_user_info);
    UserInfo info;
    info.account_id = fields.string("sub");
    info.email = fields.optional_string("email");
    info.name = fields.optional_string("name");
    return fields.finish(std::move(info));
  }
};
static_assert(verify_provider<AcmeIdentity>);

struct RealOAuthServer : ::testing::Test {
  void SetUp() override {
    server_ = std::make_unique<ChildProcess>(std::vector<std::string>{OAUTH_TEST_NODE, "server.mjs"},
                                             OAUTH_TEST_OAUTH2_MOCK_SERVER_DIR);
    auto line = server_->read_line(std::chrono::seconds(20));
    ASSERT_TRUE(line.starts_with("listening ")) << "oauth2-mock-server did not start (run scripts/test, which "
                                                   "installs it from npm); it said: "
                                                << line;
    base_ = "http://127.0.0.1:" + line.substr(10);
  }

  /// The test server's own issuer is its address.
  ProviderConfig config() const {
    return {.client_id = "acme-client",
            .client_secret = ClientSecret("acme-secret"),
            .redirect_uris = {redirect_uri},
            .endpoint_base = base_,
            .issuer = base_};
  }

  std::unique_ptr<ChildProcess> server_;
  std::string base_;
};

TEST_F(RealOAuthServer, ACustomProviderRunsCodePkceRefreshAndRevocation) {
  Runtime runtime{2};
  TokenStore<store::MemoryBackend> store(store::MemoryBackend{}, fresh_keyring());
  Manager<AcmeIdentity> manager(runtime.executor(), store);
  ASSERT_TRUE(manager.configure<AcmeIdentity>(config()));

  auto start =
      manager.initiate_flow<AcmeIdentity>({"tenant-1", "user-1", "session-1", {"orders:read"}, redirect_uri, {}});
  ASSERT_TRUE(start) << start.error().message();
  EXPECT_NE(start->authorization_url.find("code_challenge_method=S256"), std::string::npos);

  auto callback = consent_callback(start->authorization_url, "session-1", nullptr);
  ASSERT_FALSE(callback.code.empty());
  EXPECT_EQ(callback.state, start->state);
  auto integration = manager.complete_flow<AcmeIdentity>(std::move(callback));
  ASSERT_TRUE(integration) << integration.error().message();
  EXPECT_EQ(integration->account_id, "johndoe");
  EXPECT_EQ(integration->identity.email, "john.doe@example.com");

  auto first = manager.get_access_token<AcmeIdentity>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_FALSE(first->refreshed);
  EXPECT_EQ(std::count(first->access_token.reveal().begin(), first->access_token.reveal().end(), '.'), 2);  // a JWT

  auto const before = store.credential({"tenant-1", "user-1"}, integration->id).value();
  auto refreshed = manager.refresh<AcmeIdentity>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(refreshed) << refreshed.error().message();
  EXPECT_TRUE(refreshed->refreshed);
  auto const after = store.credential({"tenant-1", "user-1"}, integration->id).value();
  ASSERT_TRUE(before.refresh_token && after.refresh_token);
  EXPECT_NE(*before.refresh_token, *after.refresh_token);  // the rotated refresh token was kept
  EXPECT_EQ(after.access_token, refreshed->access_token);

  auto done = manager.disconnect<AcmeIdentity>("tenant-1", "user-1", integration->id);
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_TRUE(done->revoked_at_provider);
  EXPECT_EQ(manager.get_access_token<AcmeIdentity>("tenant-1", "user-1", integration->id).error(),
            Errc::integration_not_found);
}

TEST_F(RealOAuthServer, AnAuthorizationResponseNamingAnotherIssuerIsRefused) {
  Runtime runtime{2};
  TokenStore<store::MemoryBackend> store(store::MemoryBackend{}, fresh_keyring());
  Manager<AcmeIdentity> manager(runtime.executor(), store);
  ASSERT_TRUE(manager.configure<AcmeIdentity>(config()));
  auto flow = [&] {
    auto start = manager.initiate_flow<AcmeIdentity>({"tenant-1", "user-1", "session-1", {}, redirect_uri, {}});
    return consent_callback(start.value().authorization_url, "session-1", nullptr);
  };
  auto forged = flow();
  ASSERT_EQ(forged.iss, base_);
  forged.iss = "https://evil.example";
  EXPECT_EQ(manager.complete_flow<AcmeIdentity>(std::move(forged)).error(), Errc::issuer_mismatch);
  auto stripped = flow();
  stripped.iss.reset();  // the server promised iss, so a response without one is not its
  EXPECT_EQ(manager.complete_flow<AcmeIdentity>(std::move(stripped)).error(), Errc::issuer_mismatch);
  auto honest = flow();
  EXPECT_TRUE(manager.complete_flow<AcmeIdentity>(std::move(honest)));
  EXPECT_TRUE(store.list({"tenant-1", "user-1"}).value().size() == 1);
}

TEST_F(RealOAuthServer, AWrongPkceVerifierIsRefusedByTheServer) {
  Runtime runtime{1};
  auto start = authorization_url<AcmeIdentity>(
      {"acme-client", redirect_uri, {"openid"}, "state-1", crypto::make_pkce().value().challenge, {}});
  ASSERT_TRUE(start);
  auto rebased = detail::http::rebase_url(*start, base_).value();
  auto answer = consent(rebased);
  ASSERT_FALSE(answer.code.empty());
  auto other = crypto::make_pkce().value();
  auto request = authorization_code_request<AcmeIdentity>(
      {"acme-client", ClientSecret("s")}, AuthorizationCode(answer.code), redirect_uri, &other.verifier);
  request.url = detail::http::rebase_url(request.url, base_).value();
  HttpsTransport transport(runtime.executor());
  auto response = transport.async_send(std::move(request), boost::asio::use_future).get();
  ASSERT_TRUE(response);
  EXPECT_GE(response->status, 400u);
  EXPECT_FALSE(parse_token_response<AcmeIdentity>(*response));
}

}  // namespace
}  // namespace oauth::testing
