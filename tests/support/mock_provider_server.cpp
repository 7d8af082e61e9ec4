// The four mock providers as a program of their own, on loopback over plain HTTP, each
// with a consent page (Allow or Cancel) unless --auto-approve: for the demo, the
// browser test and the load benchmark. Prints one JSON line naming each provider's
// endpoint base, writes the same as environment assignments with --env-file, and runs
// until SIGTERM or SIGINT.
//
//   oauth_mock_provider_server [--auto-approve] [--env-file PATH] [--access-token-lifetime SECONDS]

#include "support/mock_provider.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
  using namespace oauth::testing;
  bool consent_page = true;
  std::string env_file;
  std::chrono::seconds lifetime{3600};
  for (int i = 1; i < argc; ++i) {
    std::string_view const arg = argv[i];
    if (arg == "--auto-approve")
      consent_page = false;
    else if (arg == "--env-file" && i + 1 < argc)
      env_file = argv[++i];
    else if (arg == "--access-token-lifetime" && i + 1 < argc)
      lifetime = std::chrono::seconds(std::stoi(argv[++i]));
    else
      return std::cerr << "usage: oauth_mock_provider_server [--auto-approve] [--env-file PATH] "
                          "[--access-token-lifetime SECONDS]\n",
             2;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the mocks start their threads

  std::vector<std::pair<std::string, Flavor>> const flavors{{"google", Flavor::google},
                                                            {"microsoft", Flavor::microsoft},
                                                            {"notion", Flavor::notion},
                                                            {"youtube", Flavor::youtube}};
  std::vector<std::unique_ptr<MockProvider>> mocks;
  boost::json::object bases;
  std::string env;
  for (auto const& [name, flavor] : flavors) {
    MockOptions options;
    options.flavor = flavor;
    options.consent_page = consent_page;
    options.access_token_lifetime = lifetime;
    options.rotation_grace = flavor == Flavor::microsoft;
    options.api_items = 12;  // what the API lists: Notion databases, Graph messages, Google calendars
    mocks.push_back(std::make_unique<MockProvider>(options));
    bases[name] = mocks.back()->base_url();
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    env += "OAUTH_" + upper + "_ENDPOINT_BASE=" + mocks.back()->base_url() + "\n";
    env += "OAUTH_" + upper + "_CLIENT_ID=" + options.client_id + "\n";
    env += "OAUTH_" + upper + "_CLIENT_SECRET=" + options.client_secret + "\n";
  }
  if (!env_file.empty()) std::ofstream(env_file) << env;
  std::cout << boost::json::serialize(bases) << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  return 0;
}
