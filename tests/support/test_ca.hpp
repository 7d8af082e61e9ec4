#ifndef OAUTH_TESTS_SUPPORT_TEST_CA_HPP
#define OAUTH_TESTS_SUPPORT_TEST_CA_HPP

#include <string>

namespace oauth::testing {

/// A certificate authority made at test time, and a server certificate it signed for
/// 127.0.0.1 and localhost. Nothing is read from or written to disk.
struct TestCertificates {
  std::string ca_pem;
  std::string server_certificate_pem;
  std::string server_key_pem;

  /// A fresh CA and a server certificate for `names` (subjectAltName syntax). Two calls
  /// make two unrelated CAs, so a client that trusts one refuses the other's server.
  static TestCertificates make(char const* names = "IP:127.0.0.1,DNS:localhost");
};

}  // namespace oauth::testing

#endif
