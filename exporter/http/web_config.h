// SPDX-License-Identifier: Apache-2.0
// --web.config.file: TLS and basic authentication for the HTTP endpoint,
// in the format of the Prometheus exporter toolkit, so that one file
// serves node_exporter and this exporter alike. Read strictly: a key it
// does not know is a mistake, not ignored.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace pping {

enum class ClientAuth {
  kNone,              // NoClientCert
  kRequest,           // RequestClientCert: asked for, not checked
  kRequireAny,        // RequireAnyClientCert: required, not checked
  kVerifyIfGiven,     // VerifyClientCertIfGiven
  kRequireAndVerify,  // RequireAndVerifyClientCert
};

struct TlsServerConfig {
  std::string cert_file, key_file;  // PEM; the certificate file may hold its chain
  ClientAuth client_auth = ClientAuth::kNone;
  std::string client_ca_file;  // PEM: the CAs client certificates must chain to
  int min_version = 0;         // OpenSSL's TLS1_2_VERSION etc.
  int max_version = 0;         // 0: the newest OpenSSL has
  // IANA names (as Go spells them) of the TLS 1.2 suites allowed; empty:
  // OpenSSL's defaults. TLS 1.3 suites are not configurable, as in Go.
  std::vector<std::string> cipher_suites;
  std::vector<std::string> curves;  // OpenSSL group names; empty: defaults
};

struct WebConfig {
  bool tls = false;  // tls_server_config given
  TlsServerConfig tls_config;
  // User name to bcrypt hash; empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
  // Response headers to add (http_server_config.headers).
  std::vector<std::pair<std::string, std::string>> headers;
};

// Reads `path`; throws UsageError, one line naming the file (and the line
// where it can), if it cannot be read or holds anything it should not.
// Relative file names in it are taken from the file's directory.
WebConfig LoadWebConfig(const std::string& path);

}  // namespace pping
