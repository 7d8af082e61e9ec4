#ifndef OAUTH_PROTOCOL_PROVIDER_ERROR_HPP
#define OAUTH_PROTOCOL_PROVIDER_ERROR_HPP

#include <oauth/detail/encoding/printable.hpp>
#include <oauth/detail/protocol/provider_error.hpp>
#include <oauth/error.hpp>
#include <oauth/http/message.hpp>
#include <oauth/provider.hpp>

#include <boost/json/parse.hpp>

#include <string>
#include <string_view>

namespace oauth {

/// What a provider's failed answer means: the RFC 6749 section 5.2 code or the provider's
/// own (Microsoft AADSTS bodies, Notion's `{"object":"error"}`, Graph and Google API
/// errors), else the HTTP status. `provider` names who answered and `during` what was
/// being done, for the message.
inline Error provider_error(std::string_view provider, HttpResponse const& response, std::string_view during) {
  namespace pe = detail::provider_error;
  auto const context = std::string(provider) + ' ' + std::string(during) + ": HTTP " + std::to_string(response.status);
  auto finish = [&](Error error) {
    error.provider = provider;
    error.provider_status = response.status;
    error.retry_after = pe::retry_after(response);
    return error;
  };
  if (response.status >= 300 && response.status < 400)
    return finish(Error(Errc::redirect_refused, context + " redirect not followed"));

  boost::system::error_code ec;
  auto const json = boost::json::parse(response.body, ec);
  pe::Described described;
  if (!ec && json.is_object()) described = pe::describe(json.get_object());

  auto code = pe::code_for_status(response.status);
  if (auto const named = pe::code_named(described.name)) {
    // A transient status wins over a generic name: a 503 "invalid_request" is still a 503.
    if (!(is_transient(Error(code)) && (*named == Errc::invalid_request || *named == Errc::provider_error)))
      code = *named;
  }
  std::string description = context;
  if (!described.name.empty()) description += ' ' + detail::encoding::printable_line(described.name, 60);
  if (!described.description.empty()) description += ": " + described.description;
  return finish(Error(code, std::move(description)));
}

template <Provider P>
Error provider_error(HttpResponse const& response, std::string_view during) {
  return provider_error(P::name, response, during);
}

}  // namespace oauth

#endif
