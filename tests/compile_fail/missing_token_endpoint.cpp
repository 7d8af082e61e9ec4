#include <oauth/provider.hpp>

#include <array>

struct NoTokenEndpoint {
  static constexpr std::string_view name = "broken";
  static constexpr std::string_view authorization_endpoint = "https://broken.example/authorize";
  static constexpr oauth::ClientAuth token_auth = oauth::ClientAuth::request_body;
  static constexpr oauth::BodyFormat token_body = oauth::BodyFormat::form;
  static constexpr bool supports_refresh = true;
  static constexpr bool rotates_refresh_token = false;
  static constexpr bool supports_pkce = true;
  static constexpr std::string_view scope_separator = " ";
  static constexpr std::array<oauth::Scope, 0> scopes{};
  static oauth::Result<oauth::UserInfo> map_user_info(boost::json::object const&) noexcept { return oauth::UserInfo{}; }
};

static_assert(oauth::verify_provider<NoTokenEndpoint>);
