// Who a request comes from behind reverse proxies (forwarded_for.hpp).

#include "forwarded_for.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oauth::service {
namespace {

std::vector<std::string> const proxies{"10.0.0.1", "10.0.0.2", "::1"};

TEST(ForwardedFor, AnUntrustedPeerIsTheClientWhateverItsHeaderSays) {
  EXPECT_EQ(client_address("203.0.113.5", "198.51.100.1", proxies), "203.0.113.5");
  EXPECT_EQ(client_address("203.0.113.5", "198.51.100.1", {}), "203.0.113.5");
}

TEST(ForwardedFor, TheNearestHopThatIsNoTrustedProxyIsTheClient) {
  EXPECT_EQ(client_address("10.0.0.1", "198.51.100.1", proxies), "198.51.100.1");
  // A client may write its own header first: only what trusted proxies appended counts.
  EXPECT_EQ(client_address("10.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", proxies), "198.51.100.1");
  EXPECT_EQ(client_address("10.0.0.1", " 198.51.100.1 ,\t10.0.0.2 ", proxies), "198.51.100.1");
  EXPECT_EQ(client_address("::1", "2001:db8::7", proxies), "2001:db8::7");
}

TEST(ForwardedFor, WhatCannotBeBelievedStopsAtTheNearestTrustedHop) {
  EXPECT_EQ(client_address("10.0.0.1", "", proxies), "10.0.0.1");
  EXPECT_EQ(client_address("10.0.0.1", "198.51.100.1, unknown", proxies), "10.0.0.1");
  EXPECT_EQ(client_address("10.0.0.1", "198.51.100.1:4711", proxies), "10.0.0.1");
  EXPECT_EQ(client_address("10.0.0.1", "198.51.100.1, bad, 10.0.0.2", proxies), "10.0.0.2");
  // Every hop a trusted proxy: the farthest one is all that is known.
  EXPECT_EQ(client_address("10.0.0.1", "10.0.0.2, 10.0.0.1", proxies), "10.0.0.2");
  EXPECT_EQ(client_address("10.0.0.1", "10.0.0.2", proxies), "10.0.0.2");
}

TEST(ForwardedFor, AddressesAreComparedInTheirCanonicalForm) {
  EXPECT_EQ(canonical_address("0:0::1"), "::1");
  EXPECT_EQ(canonical_address("2001:DB8::7"), "2001:db8::7");
  EXPECT_EQ(canonical_address("10.0.0.1"), "10.0.0.1");
  EXPECT_FALSE(canonical_address("proxy.example"));
  EXPECT_FALSE(canonical_address(""));
  EXPECT_EQ(client_address("::1", "0:0:0:0:0:0:0:2", {{"::1"}}), "::2");
}

}  // namespace
}  // namespace oauth::service
