// SPDX-License-Identifier: Apache-2.0
#include "tests/support/web_credentials.h"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>

#include "tests/support/process.h"

namespace pping::testing {
namespace {

void Run(const std::string& command) {
  const std::string output = ShellOutput(command + " 2>&1; echo \"exit=$?\"");
  if (output.find("exit=0\n") == std::string::npos) throw std::runtime_error("`" + command + "` failed: " + output);
}

// A key pair and a certificate for `subject`, signed by the CA in `dir`,
// with the extensions in `extensions` (an openssl extfile's lines).
void Issue(const std::string& dir, const std::string& name, const std::string& subject, const std::string& extensions) {
  const std::string base = dir + "/" + name;
  std::ofstream(base + ".ext") << extensions;
  Run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + base + ".key -out " + base +
      ".csr -subj " + subject);
  Run("openssl x509 -req -in " + base + ".csr -CA " + dir + "/ca.crt -CAkey " + dir + "/ca.key -CAcreateserial -out " +
      base + ".crt -days 2 -extfile " + base + ".ext");
}

}  // namespace

TestCertificates MakeTestCertificates(const std::string& parent) {
  std::string pattern = parent + "/certs.XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp under " + parent);
  TestCertificates c;
  c.dir = pattern;
  c.ca_cert = c.dir + "/ca.crt";
  c.ca_key = c.dir + "/ca.key";
  Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + c.ca_key + " -out " +
      c.ca_cert + " -days 2 -subj /CN=pping-test-ca");
  Issue(c.dir, "server", "/CN=localhost",
        "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  Issue(c.dir, "client", "/CN=scraper", "extendedKeyUsage=clientAuth\n");
  c.server_cert = c.dir + "/server.crt";
  c.server_key = c.dir + "/server.key";
  c.client_cert = c.dir + "/client.crt";
  c.client_key = c.dir + "/client.key";
  c.other_ca_cert = c.dir + "/other-ca.crt";
  Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + c.dir + "/other-ca.key -out " +
      c.other_ca_cert + " -days 2 -subj /CN=pping-other-ca");
  return c;
}

std::string BcryptHash(const std::string& password) {
  std::string line = ShellOutput("htpasswd -nbBC 10 user '" + password + "'");
  const size_t colon = line.find(':');
  if (colon == std::string::npos) throw std::runtime_error("htpasswd gave no hash: " + line);
  line = line.substr(colon + 1);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

}  // namespace pping::testing
