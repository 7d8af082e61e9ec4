#ifndef OAUTH_SERVICE_FORWARDED_FOR_HPP
#define OAUTH_SERVICE_FORWARDED_FOR_HPP

// Who a request comes from when the service runs behind reverse proxies: the connection's
// peer, unless that peer is a proxy the configuration trusts, in which case the proxies'
// X-Forwarded-For names the client. Only trusted proxies are believed: anyone else could
// write any address there.

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace oauth::service {

/// `text` as an IP address in its canonical form, or nothing.
inline std::optional<std::string> canonical_address(std::string_view text) {
  boost::system::error_code ec;
  auto const address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return address.to_string();
}

/// The client of a request that reached the service from `peer`, whose X-Forwarded-For
/// headers, joined in order with commas, are `forwarded_for`. Walking the list from its
/// end (the hop nearest the service), trusted proxies are passed over; the first address
/// that is not one is the client. An entry that is no IP address ends the walk: the client
/// is then the nearest trusted hop, since what lies beyond it cannot be believed.
inline std::string client_address(std::string const& peer, std::string_view forwarded_for,
                                  std::span<std::string const> trusted_proxies) {
  auto const trusted = [&](std::string const& address) {
    return std::find(trusted_proxies.begin(), trusted_proxies.end(), address) != trusted_proxies.end();
  };
  std::string client = peer;
  while (trusted(client) && !forwarded_for.empty()) {
    auto const comma = forwarded_for.rfind(',');
    auto entry = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.remove_prefix(1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
    auto address = canonical_address(entry);
    if (!address) break;
    client = std::move(*address);
  }
  return client;
}

}  // namespace oauth::service

#endif
