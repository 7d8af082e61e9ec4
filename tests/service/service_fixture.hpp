#ifndef OAUTH_TESTS_SERVICE_SERVICE_FIXTURE_HPP
#define OAUTH_TESTS_SERVICE_SERVICE_FIXTURE_HPP

// The service as its users run it: the oauth_service program, started with an
// environment of its own, against the four mock providers over HTTPS, talked to over
// loopback. Its access log goes to a file the tests read.

#include "bearer_token.hpp"
#include "support/child_process.hpp"
#include "support/files.hpp"
#include "support/http_client.hpp"
#include "support/mock_provider.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace oauth::testing {

inline std::string const user_secret = "user-bearer-secret-for-tests-0123456789";
inline std::string const server_secret = "server-token-secret-for-tests-9876543210";
inline std::string const encryption_key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
inline std::string const client_secret = "client-secret";

using Environment = std::map<std::string, std::string>;

inline std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "oauth-service-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

/// The four mock providers over HTTPS, and the certificate authority that signed them.
struct MockProviders {
  TestCertificates tls = TestCertificates::make();
  std::map<std::string, std::unique_ptr<MockProvider>> by_name;

  MockProviders() {
    for (auto [name, flavor] : {std::pair{"google", Flavor::google}, std::pair{"microsoft", Flavor::microsoft},
                                std::pair{"notion", Flavor::notion}, std::pair{"youtube", Flavor::youtube}})
      by_name[name] = std::make_unique<MockProvider>(MockOptions{.flavor = flavor, .tls = &tls});
  }
  MockProvider& operator[](std::string const& name) { return *by_name.at(name); }
};

/// A running oauth_service.
class ServiceProcess {
public:
  ServiceProcess(Environment env, std::string log_path)
      : log_path_(std::move(log_path)),
        log_start_(std::filesystem::exists(log_path_) ? std::filesystem::file_size(log_path_) : 0) {
    std::vector<std::string> argv{"/usr/bin/env", "-i", "PATH=/usr/bin:/bin"};
    for (auto const& [name, value] : env) argv.push_back(name + "=" + value);
    argv.push_back(OAUTH_TEST_SERVICE_BINARY);
    process_ = std::make_unique<ChildProcess>(argv, std::filesystem::temp_directory_path().string());
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      for (auto const& line : log_lines()) {
        if (line.at("event") == "listening") port_ = static_cast<unsigned short>(line.at("port").to_number<int>());
        if (line.at("event") == "start_failed") throw std::runtime_error(boost::json::serialize(line));
      }
      if (port_ != 0) return;
      if (auto status = process_->wait(std::chrono::milliseconds(0)); status != -1)
        throw std::runtime_error("oauth_service exited with status " + std::to_string(status));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("oauth_service did not start");
  }

  unsigned short port() const { return port_; }
  HttpClient client() const { return HttpClient(port_); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// What this process logged (an earlier one may have used the same file).
  std::string log_text() const {
    std::ifstream in(log_path_);
    in.seekg(static_cast<std::streamoff>(log_start_));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::vector<boost::json::object> log_lines() const {
    std::vector<boost::json::object> lines;
    std::istringstream in(log_text());
    for (std::string line; std::getline(in, line);) {
      boost::system::error_code ec;
      auto value = boost::json::parse(line, ec);
      if (!ec && value.is_object()) lines.push_back(std::move(value.as_object()));
    }
    return lines;
  }

  void terminate() { process_->terminate(); }
  void kill_now() { process_->kill_now(); }
  int wait(std::chrono::milliseconds timeout) { return process_->wait(timeout); }

private:
  std::string log_path_;
  std::uintmax_t log_start_;
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_ = 0;
};

/// What a browser keeps between requests to the service: its cookies.
struct CookieJar {
  std::map<std::string, std::string> cookies;

  void take(HttpReply const& reply) {
    auto [first, last] = reply.headers.equal_range("set-cookie");
    for (auto it = first; it != last; ++it) {
      auto const& text = it->second;
      auto const eq = text.find('=');
      auto const end = text.find(';');
      auto name = text.substr(0, eq);
      auto value = text.substr(eq + 1, end - eq - 1);
      if (text.find("Max-Age=0") != std::string::npos)
        cookies.erase(name);
      else
        cookies[name] = value;
    }
  }
  std::string header() const {
    std::string out;
    for (auto const& [name, value] : cookies) out += (out.empty() ? "" : "; ") + name + "=" + value;
    return out;
  }
};

/// Where a connect attempt left the browser.
struct Landing {
  int status = 0;
  std::string location;
  std::map<std::string, std::string> params;  ///< of the location
  std::string integration_id() const { return params.contains("connected") ? params.at("connected") : ""; }
};

class ServiceTest : public ::testing::Test {
protected:
  void SetUp() override {
    mocks_ = std::make_unique<MockProviders>();
    dir_ = make_temp_dir();
    std::ofstream(dir_ + "/ca.pem") << mocks().tls.ca_pem;
  }
  void TearDown() override {
    service_.reset();
    mocks_.reset();
    std::filesystem::remove_all(dir_);
  }

  MockProviders& mocks() const { return *mocks_; }
  std::string const& dir() const { return dir_; }
  std::string store_url() const { return "sqlite:" + dir_ + "/tokens.db"; }

  /// A production configuration: real keys and secrets, providers over verified HTTPS.
  Environment environment() const {
    Environment env{
        {"OAUTH_SERVICE_PORT", "0"},
        {"OAUTH_SERVICE_THREADS", "2"},
        {"OAUTH_ENCRYPTION_KEY", encryption_key},
        {"OAUTH_JWT_SECRET", user_secret},
        {"OAUTH_SERVICE_TOKEN_SECRET", server_secret},
        {"OAUTH_STORE_URL", store_url()},
        {"OAUTH_ACCESS_LOG", dir_ + "/access.log"},
        {"OAUTH_PROVIDER_CA_FILE", dir_ + "/ca.pem"},
        {"OAUTH_CORS_ORIGINS", "https://app.example"},
        {"OAUTH_CORS_CREDENTIALS", "true"},
    };
    for (auto const& [name, mock] : mocks().by_name) {
      std::string upper;
      for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      env["OAUTH_" + upper + "_CLIENT_ID"] = "client-id";
      env["OAUTH_" + upper + "_CLIENT_SECRET"] = client_secret;
      env["OAUTH_" + upper + "_ENDPOINT_BASE"] = mock->base_url();
    }
    return env;
  }

  ServiceProcess& start(Environment env) {
    service_.reset();
    service_ = std::make_unique<ServiceProcess>(std::move(env), dir_ + "/access.log");
    return *service_;
  }
  ServiceProcess& start() { return start(environment()); }
  ServiceProcess& service() { return *service_; }

  static std::string bearer(std::string const& tenant, std::string const& user,
                            std::chrono::seconds lifetime = std::chrono::minutes(10)) {
    return service::sign_bearer_for(tenant, user, user_secret, lifetime);
  }
  static std::string server_bearer(std::string const& tenant, std::string const& user) {
    return service::sign_bearer_for(tenant, user, server_secret, std::chrono::minutes(5));
  }

  static boost::json::object json_of(HttpReply const& reply) {
    boost::system::error_code ec;
    auto value = boost::json::parse(reply.body, ec);
    if (ec || !value.is_object()) return {};
    return value.as_object();
  }

  /// The browser's side of connecting: the page asks to authorize, the provider is
  /// consented to (or refused), and the provider's redirect is followed to the service.
  Landing connect(std::string const& provider, std::string const& token, CookieJar& jar,
                  boost::json::object body = {}) {
    auto client = service().client();
    auto started = client.send(
        {"POST",
         "/api/v1/oauth/" + provider + "/authorize",
         {{"Authorization", "Bearer " + token}, {"Cookie", jar.header()}, {"Content-Type", "application/json"}},
         boost::json::serialize(body)});
    jar.take(started);
    if (started.status != 200) return {started.status, started.body, {}};
    auto url = std::string(json_of(started).at("authorization_url").as_string());
    auto answer = consent(url, &mocks().tls);
    return follow(answer.location, jar);
  }

  /// The provider's redirect to the service's callback, followed as a browser would.
  Landing follow(std::string const& callback_url, CookieJar& jar) {
    auto const prefix = service().base_url();
    if (!callback_url.starts_with(prefix)) return {0, callback_url, {}};
    auto reply = service().client().send({"GET", callback_url.substr(prefix.size()), {{"Cookie", jar.header()}}});
    jar.take(reply);
    Landing landing{reply.status, reply.header("location"), {}};
    landing.params = query_params(landing.location);
    return landing;
  }

private:
  std::unique_ptr<MockProviders> mocks_;
  std::string dir_;
  std::unique_ptr<ServiceProcess> service_;
};

}  // namespace oauth::testing

#endif
