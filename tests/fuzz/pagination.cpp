// The next page of a provider's list, and where a token may be sent for it. The first
// line is "<provider> <METHOD> <target>" (the page just read); an "Endpoint-Base:" header
// sets the configured endpoint base and a "Body:" header the request's body; the body is
// the page. Whatever a page says, the token goes only to the provider's API hosts or to
// the configured base.
#include "builtin_provider.hpp"
#include "fuzz_input.hpp"

#include <oauth/api/pagination.hpp>
#include <oauth/detail/api/target.hpp>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

namespace {

using oauth::fuzz::require;

oauth::HttpMethod method_named(std::string_view name) {
  for (auto method : {oauth::HttpMethod::get, oauth::HttpMethod::post, oauth::HttpMethod::put, oauth::HttpMethod::patch,
                      oauth::HttpMethod::delete_})
    if (oauth::method_name(method) == name) return method;
  return oauth::HttpMethod::get;
}

template <class P>
void where_it_goes(std::string_view target, std::string_view base) {
  auto resolved = oauth::detail::api::resolve_target<P>(target, base);
  if (!resolved) {
    require(oauth::fuzz::printable(resolved.error().message()), "a refused target's error is one printable line");
    return;
  }
  auto url = boost::urls::parse_uri(*resolved);
  require(url.has_value(), "a resolved target is an absolute URL");
  bool const to_provider = oauth::detail::api::is_api_host<P>(url->host_address());
  bool to_base = false;
  if (auto parsed_base = boost::urls::parse_uri(base); !base.empty() && parsed_base)
    to_base = oauth::detail::api::origin_of(*parsed_base) == oauth::detail::api::origin_of(*url);
  require(base.empty() ? to_provider : to_base, "a token goes to the provider's API, or to the configured base");
}

template <class P>
void next(oauth::fuzz::Message const& message) {
  oauth::ApiRequest current;
  auto const line = message.first_line;
  auto const first = line.find(' ');
  auto const second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos) return;
  current.method = method_named(line.substr(first + 1, second - first - 1));
  current.target = std::string(line.substr(second + 1));
  std::string base;
  for (auto const& [name, value] : message.headers) {
    if (name == "Endpoint-Base") base = value;
    if (name == "Body") current.body = value;
  }
  // Configuration checks the base before any request is made (Manager::configure).
  if (!base.empty() && !oauth::detail::http::parse_endpoint(base)) return;
  where_it_goes<P>(current.target, base);
  boost::system::error_code ec;
  auto page = boost::json::parse(message.body, ec);
  if (ec || !page.is_object()) return;
  auto following = oauth::detail::pagination::next_page(oauth::api_pagination<P>(), current, page.get_object());
  if (!following) {
    require(oauth::fuzz::printable(following.error().message()), "a bad page's error is one printable line");
    return;
  }
  if (!following->request) return;
  require(!following->cursor.empty(), "a next page has a cursor that tells it from others");
  where_it_goes<P>(following->request->target, base);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const message = oauth::fuzz::message(oauth::fuzz::as_text(data, size));
  auto const provider = message.first_line.substr(0, message.first_line.find(' '));
  oauth::fuzz::with_builtin_provider(provider, [&](auto type) { next<typename decltype(type)::type>(message); });
  return 0;
}
