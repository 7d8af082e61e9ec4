// A token store's URL, as configured, and its redacted form for logs: no password of the
// URL's, in its authority or its query, survives redaction.
#include "fuzz_input.hpp"

#include <oauth/store/url.hpp>

#include <boost/url/parse.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using oauth::fuzz::require;
  auto const text = oauth::fuzz::as_text(data, size);
  auto parsed = oauth::store::StoreUrl::parse(text);
  if (!parsed) {
    require(parsed.error() == oauth::Errc::invalid_argument, "a bad store URL is invalid_argument");
    require(text.find('@') == std::string_view::npos || parsed.error().message().find(text) == std::string::npos,
            "a refused store URL is not repeated (it may hold a password)");
    return 0;
  }
  auto const redacted = parsed->redacted();
  if (parsed->kind != oauth::store::StoreKind::postgres && parsed->kind != oauth::store::StoreKind::redis) return 0;
  if (auto url = boost::urls::parse_uri(parsed->location);
      url && url->has_password() && !url->encoded_password().empty()) {
    auto const start = redacted.find("://") + 3;
    auto const authority = std::string_view(redacted).substr(start, redacted.find_first_of("/?#", start) - start);
    require(authority.find(":" + std::string(url->encoded_password()) + "@") == std::string_view::npos,
            "the authority's password is redacted");
  }
  // Every query parameter called password, as the database's client reads it.
  auto const query = redacted.find('?');
  for (std::string_view rest = query == std::string::npos ? std::string_view{}
                                                          : std::string_view(redacted).substr(query + 1);
       !rest.empty();) {
    auto const param = rest.substr(0, rest.find('&'));
    if (param.starts_with("password=")) require(param == "password=[redacted]", "a password in the query is redacted");
    rest.remove_prefix(std::min(rest.size(), param.size() + 1));
  }
  return 0;
}
