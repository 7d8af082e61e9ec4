// The service's configuration file, then the safety checks over what it set: every
// problem is one printable line, and no client secret is ever repeated in one.
#include "fuzz_input.hpp"
#include "oauth_service/config.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace {

std::vector<std::string> client_secrets(std::string_view text) {
  std::vector<std::string> secrets;
  boost::system::error_code ec;
  auto root = boost::json::parse(text, ec);
  if (ec || !root.is_object()) return secrets;
  auto const* providers = root.get_object().if_contains("providers");
  if (providers == nullptr || !providers->is_object()) return secrets;
  for (auto const& [name, settings] : providers->get_object()) {
    if (!settings.is_object()) continue;
    for (auto const& [key, value] : settings.get_object())
      if (key == "client_secret" && value.is_string() && value.get_string().size() >= 8) {
        std::string_view const secret = value.get_string();
        // One written only once, as itself: no other setting can have carried it along.
        bool const plain = std::all_of(secret.begin(), secret.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        });
        if (plain && text.find(secret) == text.rfind(secret)) secrets.emplace_back(secret);
      }
  }
  return secrets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const text = oauth::fuzz::as_text(data, size);
  static std::vector<std::string> const known{"google", "microsoft", "notion", "youtube"};
  oauth::service::ServiceConfig config;
  config.bearer_secret = std::string(32, 'b');
  std::vector<std::string> problems;
  oauth::service::read_config_file(text, "fuzz.json", known, config, problems);
  for (auto& problem : oauth::service::config_problems(config)) problems.push_back(std::move(problem));
  auto const secrets = client_secrets(text);
  for (auto const& problem : problems) {
    oauth::fuzz::require(oauth::fuzz::printable(problem), "a configuration problem is one printable line");
    for (auto const& secret : secrets)
      oauth::fuzz::require(problem.find(secret) == std::string::npos, "a client secret is never repeated");
  }
  return 0;
}
