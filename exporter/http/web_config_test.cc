// SPDX-License-Identifier: Apache-2.0
// The exporter toolkit's web config, read strictly: what it may hold, and
// each mistake refused in one line that names the file and the line.
#include "exporter/http/web_config.h"

#include <gtest/gtest.h>
#include <openssl/tls1.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "exporter/util/error.h"

namespace pping {
namespace {

const std::string kHash = "$2y$10$0mKXPP0qTYBlLPJV4BC8ZO5m7yRpGbHSrbsbpeXiV6VQhZwdWdZ3m";

std::string Write(const std::string& name, const std::string& text) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// The one-line message LoadWebConfig refuses `text` with.
std::string Refusal(const std::string& text) {
  const std::string path = Write("refused.yml", text);
  try {
    LoadWebConfig(path);
  } catch (const UsageError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.rfind("--web.config.file " + path + ":", 0), 0u) << message;
    return message;
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

TEST(WebConfig, ReadsTheToolkitsFormat) {
  const std::string path = Write("web.yml",
                                 "tls_server_config:\n"
                                 "  cert_file: server.crt\n"
                                 "  key_file: /etc/pping/server.key\n"
                                 "  client_auth_type: RequireAndVerifyClientCert\n"
                                 "  client_ca_file: ca.crt\n"
                                 "  min_version: TLS13\n"
                                 "  curve_preferences: [X25519, CurveP256]\n"
                                 "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
                                 "  prefer_server_cipher_suites: true\n"
                                 "http_server_config:\n"
                                 "  http2: true\n"
                                 "  headers:\n"
                                 "    Strict-Transport-Security: max-age=31536000\n"
                                 "basic_auth_users:\n"
                                 "  prometheus: " +
                                     kHash + "\n");
  const WebConfig c = LoadWebConfig(path);
  ASSERT_TRUE(c.tls);
  const std::string dir = path.substr(0, path.rfind('/'));
  EXPECT_EQ(c.tls_config.cert_file, dir + "/server.crt") << "relative to the config file, as in the toolkit";
  EXPECT_EQ(c.tls_config.key_file, "/etc/pping/server.key");
  EXPECT_EQ(c.tls_config.client_ca_file, dir + "/ca.crt");
  EXPECT_EQ(c.tls_config.client_auth, ClientAuth::kRequireAndVerify);
  EXPECT_EQ(c.tls_config.min_version, TLS1_3_VERSION);
  EXPECT_EQ(c.tls_config.max_version, 0);
  EXPECT_EQ(c.tls_config.curves, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_EQ(c.tls_config.cipher_suites, (std::vector<std::string>{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}));
  EXPECT_EQ(c.basic_auth_users.at("prometheus"), kHash);
  ASSERT_EQ(c.headers.size(), 1u);
  EXPECT_EQ(c.headers[0].first, "Strict-Transport-Security");
}

TEST(WebConfig, AnEmptyFileOrAuthAloneIsPlainHttp) {
  EXPECT_FALSE(LoadWebConfig(Write("empty.yml", "")).tls);
  EXPECT_FALSE(LoadWebConfig(Write("comment.yml", "# nothing yet\n")).tls);
  const WebConfig auth = LoadWebConfig(Write("auth.yml", "basic_auth_users:\n  a: " + kHash + "\n"));
  EXPECT_FALSE(auth.tls);
  EXPECT_EQ(auth.basic_auth_users.size(), 1u);
  EXPECT_EQ(LoadWebConfig(Write("defaults.yml", "tls_server_config:\n  cert_file: c\n  key_file: k\n"))
                .tls_config.min_version,
            TLS1_2_VERSION);
}

TEST(WebConfig, RefusesMistakesInOneLineWithTheirLine) {
  EXPECT_NE(Refusal("tls_server_config:\n  cert_file: c\n  key_file: k\n  cert_fille: x\n")
                .find("line 4: unknown key tls_server_config.cert_fille"),
            std::string::npos);
  EXPECT_NE(Refusal("basic_auth_user:\n  a: b\n").find("line 1: unknown key basic_auth_user"), std::string::npos);
  EXPECT_NE(Refusal("tls_server_config:\n  key_file: k\n").find("cert_file is missing"), std::string::npos);
  EXPECT_NE(Refusal("tls_server_config:\n  cert_file: c\n").find("key_file is missing"), std::string::npos);
  EXPECT_NE(Refusal("tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: TLS14\n")
                .find("line 4: min_version: 'TLS14' is not TLS10, TLS11, TLS12 or TLS13"),
            std::string::npos);
  EXPECT_NE(Refusal("tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: TLS13\n  max_version: TLS12\n")
                .find("max_version is below min_version"),
            std::string::npos);
  EXPECT_NE(Refusal("tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: Always\n")
                .find("client_auth_type: 'Always' is not"),
            std::string::npos);
  EXPECT_NE(Refusal("tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: "
                    "RequireAndVerifyClientCert\n")
                .find("client_ca_file is missing"),
            std::string::npos);
  EXPECT_NE(Refusal("tls_server_config:\n  cert_file: c\n  key_file: k\n  client_ca_file: ca\n")
                .find("client_auth_type is NoClientCert"),
            std::string::npos);
  EXPECT_NE(Refusal("tls_server_config:\n  cert_file: c\n  key_file: k\n  client_allowed_sans: [x]\n")
                .find("line 4: tls_server_config.client_allowed_sans is not supported by pping_exporter"),
            std::string::npos);
  EXPECT_NE(Refusal("basic_auth_users:\n  a: plaintext\n").find("line 2: basic_auth_users.a: not a bcrypt hash"),
            std::string::npos);
  EXPECT_NE(Refusal("basic_auth_users:\n  'a:b': " + kHash + "\n").find("holds no ':'"), std::string::npos);
  std::string costly = kHash;
  costly.replace(4, 2, "31");
  EXPECT_NE(Refusal("basic_auth_users:\n  a: " + costly + "\n").find("cost 4 to 16"), std::string::npos)
      << "a check would take days";
  std::string mangled = kHash;
  mangled[20] = '!';
  EXPECT_NE(Refusal("basic_auth_users:\n  a: " + mangled + "\n").find("not a bcrypt hash"), std::string::npos);
  EXPECT_NE(Refusal("basic_auth_users: [a]\n").find("a mapping of user names"), std::string::npos);
  EXPECT_NE(Refusal("http_server_config:\n  headers:\n    Content-Type: text/html\n")
                .find("unknown key http_server_config.headers.Content-Type"),
            std::string::npos);
  EXPECT_NE(Refusal("tls_server_config: [\n").find("line "), std::string::npos) << "YAML syntax";
  EXPECT_NE(Refusal("- a\n- b\n").find("a mapping is expected"), std::string::npos);
  EXPECT_NE(Refusal(std::string(1 << 20 | 1, '#')).find("larger than 1048576 bytes"), std::string::npos);
}

TEST(WebConfig, AFileThatCannotBeReadIsAMistake) {
  try {
    LoadWebConfig("/nonexistent/web.yml");
    ADD_FAILURE();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--web.config.file /nonexistent/web.yml: cannot be read");
  }
  // A secret mounted as a directory where the file was expected would
  // otherwise read as an empty config: no TLS, no users.
  try {
    LoadWebConfig("/tmp");
    ADD_FAILURE();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--web.config.file /tmp: not a regular file");
  }
}

}  // namespace
}  // namespace pping
