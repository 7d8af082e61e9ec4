// What a token endpoint answers, for every built-in provider: the first line is
// "<provider> <status>", then response headers (Retry-After among them) and the body.
// Read as a token response, and as the provider's error whatever the status.
#include "builtin_provider.hpp"
#include "fuzz_input.hpp"

#include <oauth/protocol/provider_error.hpp>
#include <oauth/protocol/token_response.hpp>
#include <oauth/user_facing_error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <optional>

namespace {

using oauth::fuzz::require;

// What the target puts in place of the body's tokens, to look for in the errors after.
constexpr std::string_view canary = "Qx7canaryTOKENvalue9Zk";

/// The body with each token it holds replaced by the canary, when it is JSON that holds one.
std::optional<std::string> with_canaries(std::string_view body) {
  boost::system::error_code ec;
  auto json = boost::json::parse(body, ec);
  if (ec || !json.is_object()) return std::nullopt;
  bool replaced = false;
  for (auto const* name : {"access_token", "refresh_token", "id_token"})
    if (auto* v = json.get_object().if_contains(name); v != nullptr && v->is_string()) {
      *v = canary;
      replaced = true;
    }
  if (!replaced || body.find(canary) != std::string_view::npos) return std::nullopt;
  return boost::json::serialize(json);
}

template <class P>
void check_error(oauth::Error const& error, oauth::HttpResponse const& response) {
  require(oauth::fuzz::printable(error.message()), "an error's message is one printable line");
  require(error.provider == P::name && error.provider_status == response.status, "an error names its provider");
  if (error.retry_after)
    require(*error.retry_after >= std::chrono::seconds(0) && *error.retry_after <= std::chrono::hours(24),
            "Retry-After is at most a day");
  for (auto operation : {oauth::Operation::connect, oauth::Operation::use}) {
    auto const facing = oauth::user_facing_error<P>(error, operation);
    require(facing.http_status >= 400 && facing.http_status < 600, "a user-facing error has an error status");
    require(oauth::fuzz::printable(facing.message) && oauth::fuzz::printable(facing.code),
            "a user-facing error is printable");
  }
}

template <class P>
void answer(oauth::HttpResponse const& response) {
  auto parsed = oauth::parse_token_response<P>(response, "fuzz");
  if (parsed) {
    require(response.status >= 200 && response.status < 300, "only a 2xx is a token response");
    require(!parsed->access_token.reveal().empty(), "a token response has an access token");
    if (parsed->expires_in)
      require(parsed->expires_in->count() >= 0 && parsed->expires_in->count() <= 10LL * 366 * 24 * 3600,
              "expires_in is between now and ten years");
    for (auto const* name : {"access_token", "refresh_token", "id_token"})
      require(!parsed->fields.contains(name), "no token is left among the other fields");
  } else {
    check_error<P>(parsed.error(), response);
    if (auto marked = with_canaries(response.body); marked && response.status >= 200 && response.status < 300) {
      auto copy = response;
      copy.body = std::move(*marked);
      auto again = oauth::parse_token_response<P>(copy, "fuzz");
      if (!again) require(again.error().message().find(canary) == std::string::npos, "a token never reaches an error");
    }
  }
  check_error<P>(oauth::provider_error<P>(response, "fuzz"), response);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const message = oauth::fuzz::message(oauth::fuzz::as_text(data, size));
  auto const provider = message.first_line.substr(0, message.first_line.find(' '));
  oauth::HttpResponse response;
  response.status = static_cast<unsigned>(oauth::fuzz::number_after(message.first_line, 1, 200) % 1000);
  response.headers = message.headers;
  response.body = std::string(message.body);
  oauth::fuzz::with_builtin_provider(provider, [&](auto type) { answer<typename decltype(type)::type>(response); });
  return 0;
}
