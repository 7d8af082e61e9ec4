// oauthctl driven from a terminal, as a person would: connect through the loopback
// redirect, look at the credentials, validate, disconnect, rotate keys, and each way a
// connection can fail told in plain words.

#include "common/provider_environment.hpp"
#include "service/service_fixture.hpp"

#include <oauth/crypto/keyring.hpp>
#include <oauth/store/sqlite.hpp>
#include <oauth/store/token_store.hpp>

#include <sys/stat.h>

#include <regex>

namespace oauth::testing {
namespace {

struct Outcome {
  int status = -1;
  std::string output;  ///< standard output and error, as a terminal shows them
};

class OauthctlTest : public ::testing::Test {
protected:
  void SetUp() override {
    home_ = make_temp_dir();
    std::ofstream(home_ + "/ca.pem") << mocks_.tls.ca_pem;
  }
  void TearDown() override { std::filesystem::remove_all(home_); }

  Environment environment() const {
    Environment env{{"HOME", home_},
                    {"USER", "ada"},
                    {"OAUTH_ENCRYPTION_KEY", encryption_key},
                    {"OAUTH_PROVIDER_CA_FILE", home_ + "/ca.pem"}};
    for (auto const& [name, mock] : mocks_.by_name) {
      auto const prefix = examples::environment_prefix(name);
      env[prefix + "CLIENT_ID"] = "client-id";
      env[prefix + "CLIENT_SECRET"] = client_secret;
      env[prefix + "ENDPOINT_BASE"] = mock->base_url();
    }
    return env;
  }

  static std::string command_line(Environment const& env, std::string const& args) {
    std::string line = "exec env -i PATH=/usr/bin:/bin";
    for (auto const& [name, value] : env) line += " '" + name + "=" + value + "'";
    return line + " " + OAUTH_TEST_OAUTHCTL_BINARY + " " + args + " 2>&1";
  }

  Outcome run(std::string const& args, Environment const& env, std::string const& input = {}) const {
    std::string command = command_line(env, args);
    if (!input.empty()) {
      std::ofstream(home_ + "/input") << input;
      command = "exec < '" + home_ + "/input'; " + command;
    }
    int status = 0;
    auto output = test::run_command("sh -c \"" + std::regex_replace(command, std::regex("\""), "\\\"") + "\"", status);
    return {WEXITSTATUS(status), output};
  }
  Outcome run(std::string const& args) const { return run(args, environment()); }

  /// `oauthctl connect`, with the browser's part played by `browse`: given the address
  /// oauthctl printed, it returns where the provider sent the browser (empty: nowhere).
  Outcome connect(std::string const& args, Environment const& env,
                  std::function<std::string(std::string const&)> const& browse) {
    ChildProcess cli({"/bin/sh", "-c", command_line(env, "connect " + args + " --no-browser")}, home_);
    Outcome outcome;
    std::string url;
    while (url.empty() && cli.wait(std::chrono::milliseconds(0)) == -1) {
      auto line = cli.read_line(std::chrono::seconds(10));
      outcome.output += line + "\n";
      if (line.starts_with("  https://")) url = line.substr(2);
    }
    if (!url.empty()) {
      auto const location = browse(url);
      if (!location.empty()) {
        std::smatch parts;
        EXPECT_TRUE(std::regex_match(location, parts, std::regex(R"(http://127\.0\.0\.1:(\d+)(/.*))"))) << location;
        auto page = HttpClient(static_cast<unsigned short>(std::stoi(parts[1]))).get(parts[2]);
        EXPECT_EQ(page.status, 200);
        EXPECT_NE(
            page.body.find(page.body.find("Done") != std::string::npos ? "close this tab" : "Nothing was connected"),
            std::string::npos);
      }
    }
    outcome.output += cli.read_rest(std::chrono::seconds(20));
    outcome.status = cli.wait(std::chrono::seconds(5));
    return outcome;
  }
  Outcome connect(std::string const& args) {
    return connect(args, environment(), [&](std::string const& url) { return consent(url, &mocks_.tls).location; });
  }

  std::string store_file() const { return home_ + "/.config/oauthctl/tokens.db"; }
  TokenStore<store::SqliteBackend> open_store() const {
    return {store::SqliteBackend::open({.path = store_file()}).value(),
            crypto::Keyring::from_list(encryption_key).value()};
  }
  static std::string integration_id(std::string const& output) {
    std::smatch id;
    return std::regex_search(output, id, std::regex(R"(\(integration ([A-Za-z0-9_-]+)\))")) ? id[1].str() : "";
  }

  MockProviders mocks_;
  std::string home_;
};

TEST_F(OauthctlTest, ConnectsThroughTheLoopbackRedirectAndKeepsTheCredentialPrivate) {
  auto connected = connect("google --scope calendar.readonly");
  ASSERT_EQ(connected.status, 0) << connected.output;
  EXPECT_NE(connected.output.find("Waiting for google to send you back to http://127.0.0.1:"), std::string::npos);
  EXPECT_NE(connected.output.find("Connected google: ada@example.com"), std::string::npos) << connected.output;
  auto const id = integration_id(connected.output);
  ASSERT_FALSE(id.empty());

  // What the provider saw: a loopback redirect on a port of the moment, PKCE with S256.
  auto const params = mocks_["google"].last_authorize_params();
  EXPECT_TRUE(std::regex_match(params.at("redirect_uri"), std::regex(R"(http://127\.0\.0\.1:\d+/callback)")));
  EXPECT_EQ(params.at("code_challenge_method"), "S256");
  EXPECT_NE(params.at("scope").find("calendar.readonly"), std::string::npos);

  struct stat file {
  }, directory{};
  ASSERT_EQ(::stat(store_file().c_str(), &file), 0);
  ASSERT_EQ(::stat((home_ + "/.config/oauthctl").c_str(), &directory), 0);
  EXPECT_EQ(file.st_mode & 0777, 0600);
  EXPECT_EQ(directory.st_mode & 0777, 0700);

  auto listed = run("status");
  EXPECT_EQ(listed.status, 0);
  EXPECT_NE(listed.output.find(id), std::string::npos);
  EXPECT_NE(listed.output.find("active"), std::string::npos);
  EXPECT_NE(listed.output.find("never"), std::string::npos);

  auto checked = run("validate " + id);
  EXPECT_EQ(checked.status, 0) << checked.output;
  EXPECT_NE(checked.output.find("valid, ada@example.com"), std::string::npos) << checked.output;
  EXPECT_NE(run("status").output.find("today"), std::string::npos);

  auto token = open_store().credential({"local", "ada"}, id).value().access_token;
  EXPECT_EQ(test::read_file(store_file()).find(std::string(token.reveal())), std::string::npos);

  auto gone = run("disconnect " + id);
  EXPECT_EQ(gone.status, 0) << gone.output;
  EXPECT_NE(gone.output.find("google revoked the grant"), std::string::npos) << gone.output;
  EXPECT_FALSE(mocks_["google"].token_active(std::string(token.reveal())));
  EXPECT_NE(run("status").output.find("disconnected"), std::string::npos);
}

TEST_F(OauthctlTest, NotionConnectsAWorkspaceAndIsValidatedByIntrospection) {
  auto connected = connect("notion");
  ASSERT_EQ(connected.status, 0) << connected.output;
  EXPECT_NE(connected.output.find("Connected notion: workspace \"Analytical Engines\""), std::string::npos);
  auto checked = run("validate");
  EXPECT_EQ(checked.status, 0) << checked.output;
  mocks_["notion"].revoke_everything();
  auto revoked = run("validate");
  EXPECT_EQ(revoked.status, 1);
  EXPECT_NE(revoked.output.find("notion no longer accepts it. Connect again with: oauthctl connect notion"),
            std::string::npos)
      << revoked.output;
  EXPECT_NE(run("status").output.find("needs you again: run oauthctl connect notion"), std::string::npos);
}

TEST_F(OauthctlTest, CancellingOnTheConsentPageSaysHowToTryAgain) {
  mocks_["google"].set_deny_consent(true);
  auto cancelled = connect("google");
  EXPECT_EQ(cancelled.status, 1);
  EXPECT_NE(cancelled.output.find("You cancelled on google's consent page, so nothing was connected."),
            std::string::npos)
      << cancelled.output;
  EXPECT_NE(cancelled.output.find("Run `oauthctl connect google` again and choose Allow"), std::string::npos);
  EXPECT_NE(run("status").output.find("No connected accounts"), std::string::npos);
}

TEST_F(OauthctlTest, AWrongClientSecretSaysWhichSettingsToCheck) {
  auto env = environment();
  env["OAUTH_MICROSOFT_CLIENT_SECRET"] = "not-the-secret";
  auto refused = connect("microsoft", env, [&](std::string const& url) { return consent(url, &mocks_.tls).location; });
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("microsoft does not accept this application's client id or secret."), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("Check OAUTH_MICROSOFT_CLIENT_ID and OAUTH_MICROSOFT_CLIENT_SECRET"),
            std::string::npos);
  EXPECT_EQ(refused.output.find("not-the-secret"), std::string::npos);
}

TEST_F(OauthctlTest, AnUnregisteredRedirectAddressSaysWhatToRegister) {
  MockOptions options{.flavor = Flavor::google, .tls = &mocks_.tls};
  options.registered_redirect_uris = {"http://localhost:8080/callback"};
  MockProvider strict(options);
  auto env = environment();
  env["OAUTH_GOOGLE_ENDPOINT_BASE"] = strict.base_url();
  auto refused = connect("google --timeout 2", env, [&](std::string const& url) {
    auto answer = consent(url, &mocks_.tls);  // the provider shows an error page, and sends nobody back
    EXPECT_TRUE(answer.location.empty());
    return answer.location;
  });
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("No answer came back to http://127.0.0.1:"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("register http://127.0.0.1 (any port, RFC 8252) as a redirect URI"), std::string::npos);
}

TEST_F(OauthctlTest, ANetworkFailureSaysToCheckTheConnection) {
  std::optional<MockProvider> vanishing(MockOptions{.flavor = Flavor::youtube, .tls = &mocks_.tls});
  auto env = environment();
  env["OAUTH_YOUTUBE_ENDPOINT_BASE"] = vanishing->base_url();
  auto failed = connect("youtube", env, [&](std::string const& url) {
    auto location = consent(url, &mocks_.tls).location;
    vanishing.reset();  // the provider is gone before the code is exchanged
    return location;
  });
  EXPECT_EQ(failed.status, 1);
  EXPECT_NE(failed.output.find("Could not reach youtube"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find("Check your network connection"), std::string::npos);
}

TEST_F(OauthctlTest, StatusWarnsAfter30DaysWithoutValidationAndUrgesItAfter90) {
  auto const id = integration_id(connect("microsoft").output);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(run("status").output.find("warning"), std::string::npos);
  auto store = open_store();
  ASSERT_TRUE(store.record_use({"local", "ada"}, id, UseKind::validated, Clock::now() - std::chrono::days(40)));
  auto month = run("status").output;
  EXPECT_NE(month.find("has not been validated for 40 days; validate it before it reaches 90: oauthctl validate " + id),
            std::string::npos)
      << month;
  ASSERT_TRUE(store.record_use({"local", "ada"}, id, UseKind::validated, Clock::now() - std::chrono::days(120)));
  auto overdue = run("status").output;
  EXPECT_NE(overdue.find("has not been validated for 120 days: validate it now with `oauthctl validate " + id + "`"),
            std::string::npos)
      << overdue;
  EXPECT_EQ(run("validate " + id).status, 0);
  EXPECT_EQ(run("status").output.find("warning"), std::string::npos);
}

TEST_F(OauthctlTest, KeysAreGeneratedRotatedAndUsedLineByLine) {
  auto generated = run("keys generate");
  ASSERT_EQ(generated.status, 0);
  auto const key = generated.output.substr(0, generated.output.find('\n'));
  ASSERT_TRUE(crypto::Keyring::from_list(key)) << key;

  auto sealed = run("encrypt --key " + key, environment(), "first secret\nsecond secret\n");
  ASSERT_EQ(sealed.status, 0);
  EXPECT_EQ(sealed.output.find("secret"), std::string::npos);
  auto opened = run("decrypt --key " + key, environment(), sealed.output);
  EXPECT_EQ(opened.status, 0);
  EXPECT_EQ(opened.output, "first secret\nsecond secret\n");
  auto wrong = run("decrypt", environment(), sealed.output);  // OAUTH_ENCRYPTION_KEY is another key
  EXPECT_EQ(wrong.status, 1);
  EXPECT_NE(wrong.output.find("line 1: encrypted token signature does not verify"), std::string::npos) << wrong.output;

  // Rotation: connect under the old key, put the new one first, rotate, drop the old one.
  auto const id = integration_id(connect("google").output);
  ASSERT_FALSE(id.empty());
  auto both = environment();
  both["OAUTH_ENCRYPTION_KEY"] = key + "," + encryption_key;
  auto rotated = run("keys rotate", both);
  EXPECT_EQ(rotated.status, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("Moved 1 of 1 credentials to key " + crypto::Keyring::from_list(key)->key_id()),
            std::string::npos)
      << rotated.output;
  auto only_new = environment();
  only_new["OAUTH_ENCRYPTION_KEY"] = key;
  EXPECT_EQ(run("validate " + id, only_new).status, 0);
  auto only_old = run("validate " + id);
  EXPECT_EQ(only_old.status, 1);
  EXPECT_NE(only_old.output.find("could not check"), std::string::npos) << only_old.output;
}

TEST_F(OauthctlTest, MistakesGetUsageAndPlainMessages) {
  EXPECT_EQ(run("").status, 2);
  EXPECT_EQ(run("connect").status, 2);
  auto unknown = run("connect dropbox --no-browser");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.output.find("unknown provider \"dropbox\""), std::string::npos);
  auto env = environment();
  env.erase("OAUTH_ENCRYPTION_KEY");
  auto keyless = run("status", env);
  EXPECT_EQ(keyless.status, 1);
  EXPECT_NE(keyless.output.find("oauthctl keys generate"), std::string::npos);
  env = environment();
  env.erase("OAUTH_NOTION_CLIENT_ID");
  env.erase("OAUTH_NOTION_CLIENT_SECRET");
  env.erase("OAUTH_NOTION_ENDPOINT_BASE");
  auto unconfigured = run("connect notion --no-browser", env);
  EXPECT_NE(unconfigured.output.find("notion is not configured: set OAUTH_NOTION_CLIENT_ID"), std::string::npos)
      << unconfigured.output;
}

}  // namespace
}  // namespace oauth::testing
