// SPDX-License-Identifier: Apache-2.0
// What a test of TLS and basic auth needs, made as an operator makes it:
// a CA, a server certificate for 127.0.0.1 and localhost, and a client
// certificate, with the openssl command; bcrypt hashes with htpasswd.
#pragma once

#include <string>

namespace pping::testing {

struct TestCertificates {
  std::string dir;
  std::string ca_cert, ca_key;          // the CA that signed both below
  std::string server_cert, server_key;  // subjectAltName IP:127.0.0.1, IP:::1, DNS:localhost
  std::string client_cert, client_key;  // CN=scraper
  std::string other_ca_cert;            // a CA that signed neither
};

// Makes them in a fresh directory under `parent`; throws on failure.
TestCertificates MakeTestCertificates(const std::string& parent);

// A bcrypt hash of `password` ($2y$, cost 10) as htpasswd makes it.
std::string BcryptHash(const std::string& password);

}  // namespace pping::testing
