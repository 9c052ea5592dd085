// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/web_config.h"

#include <openssl/tls1.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>

#include <fstream>
#include <set>
#include <sstream>

#include "exporter/util/error.h"

namespace pping {
namespace {

// Larger than any web config; bounds what a wrong path makes us read.
constexpr size_t kMaxWebConfigBytes = 1 << 20;

[[noreturn]] void Refuse(const std::string& path, const YAML::Node& at, const std::string& why) {
  const YAML::Mark mark = at.Mark();
  const std::string where = mark.is_null() ? "" : " line " + std::to_string(mark.line + 1) + ":";
  throw UsageError("--web.config.file " + path + ":" + where + " " + why);
}

std::string Scalar(const std::string& path, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) Refuse(path, node, key + ": a string is expected");
  return node.Scalar();
}

std::vector<std::string> Strings(const std::string& path, const YAML::Node& node, const std::string& key) {
  if (node.IsNull()) return {};
  if (!node.IsSequence()) Refuse(path, node, key + ": a list is expected");
  std::vector<std::string> out;
  for (const YAML::Node& item : node) out.push_back(Scalar(path, item, key));
  return out;
}

// The keys of a mapping, each checked against those the toolkit defines;
// `unsupported` are the toolkit's keys this exporter does not implement.
void CheckKeys(const std::string& path, const YAML::Node& map, const std::string& section,
               const std::set<std::string>& known, const std::set<std::string>& unsupported = {}) {
  if (!map.IsMap()) Refuse(path, map, section + ": a mapping is expected");
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    const std::string name = section.empty() ? key : section + "." + key;
    if (unsupported.contains(key)) Refuse(path, entry.first, name + " is not supported by pping_exporter");
    if (!known.contains(key)) Refuse(path, entry.first, "unknown key " + name);
  }
}

int TlsVersion(const std::string& path, const YAML::Node& node, const std::string& key) {
  const std::string v = Scalar(path, node, key);
  if (v == "TLS10") return TLS1_VERSION;
  if (v == "TLS11") return TLS1_1_VERSION;
  if (v == "TLS12") return TLS1_2_VERSION;
  if (v == "TLS13") return TLS1_3_VERSION;
  Refuse(path, node, key + ": '" + v + "' is not TLS10, TLS11, TLS12 or TLS13");
}

ClientAuth ClientAuthType(const std::string& path, const YAML::Node& node) {
  const std::string v = Scalar(path, node, "client_auth_type");
  if (v == "NoClientCert" || v.empty()) return ClientAuth::kNone;
  if (v == "RequestClientCert") return ClientAuth::kRequest;
  if (v == "RequireAnyClientCert") return ClientAuth::kRequireAny;
  if (v == "VerifyClientCertIfGiven") return ClientAuth::kVerifyIfGiven;
  if (v == "RequireAndVerifyClientCert") return ClientAuth::kRequireAndVerify;
  Refuse(path, node,
         "client_auth_type: '" + v +
             "' is not NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or "
             "RequireAndVerifyClientCert");
}

// Go's curve names as OpenSSL names its groups.
std::string Curve(const std::string& path, const YAML::Node& node) {
  const std::string v = Scalar(path, node, "curve_preferences");
  if (v == "X25519") return "X25519";
  if (v == "CurveP256") return "P-256";
  if (v == "CurveP384") return "P-384";
  if (v == "CurveP521") return "P-521";
  Refuse(path, node, "curve_preferences: '" + v + "' is not X25519, CurveP256, CurveP384 or CurveP521");
}

std::string Resolve(const std::string& dir, const std::string& file) {
  if (file.empty() || file.front() == '/' || dir.empty()) return file;
  return dir + "/" + file;
}

TlsServerConfig ParseTls(const std::string& path, const YAML::Node& node) {
  CheckKeys(path, node, "tls_server_config",
            {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
             "cipher_suites", "curve_preferences", "prefer_server_cipher_suites"},
            {"cert", "key", "client_ca", "client_allowed_sans"});
  TlsServerConfig t;
  t.min_version = TLS1_2_VERSION;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "cert_file") t.cert_file = Scalar(path, value, key);
    if (key == "key_file") t.key_file = Scalar(path, value, key);
    if (key == "client_ca_file") t.client_ca_file = Scalar(path, value, key);
    if (key == "client_auth_type") t.client_auth = ClientAuthType(path, value);
    if (key == "min_version") t.min_version = TlsVersion(path, value, key);
    if (key == "max_version") t.max_version = TlsVersion(path, value, key);
    if (key == "cipher_suites") t.cipher_suites = Strings(path, value, key);
    if (key == "curve_preferences") {
      if (!value.IsNull() && !value.IsSequence()) Refuse(path, value, "curve_preferences: a list is expected");
      for (const YAML::Node& item : value) t.curves.push_back(Curve(path, item));
    }
    if (key == "prefer_server_cipher_suites") {
      // OpenSSL servers choose by their own order when told to; Go's
      // servers always do. Accepted for compatibility: it is on here.
      Scalar(path, value, key);
    }
  }
  if (t.cert_file.empty()) Refuse(path, node, "tls_server_config: cert_file is missing");
  if (t.key_file.empty()) Refuse(path, node, "tls_server_config: key_file is missing");
  const bool verifies = t.client_auth == ClientAuth::kVerifyIfGiven || t.client_auth == ClientAuth::kRequireAndVerify;
  if (verifies && t.client_ca_file.empty()) {
    Refuse(path, node,
           "tls_server_config: client_auth_type verifies client certificates but client_ca_file is "
           "missing");
  }
  if (t.client_auth == ClientAuth::kNone && !t.client_ca_file.empty()) {
    Refuse(path, node, "tls_server_config: client_ca_file is given but client_auth_type is NoClientCert");
  }
  if (t.max_version != 0 && t.max_version < t.min_version) {
    Refuse(path, node, "tls_server_config: max_version is below min_version");
  }
  return t;
}

// Above this a check takes seconds or days: a hash that costly would keep
// the checking thread, and every login, waiting.
constexpr int kMaxBcryptCost = 16;

// "$2y$10$" and 53 characters of bcrypt's base64 (22 of salt, 31 of hash).
bool IsBcryptHash(const std::string& hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') return false;
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(hash[4])) || !std::isdigit(static_cast<unsigned char>(hash[5]))) {
    return false;
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > kMaxBcryptCost) return false;
  return std::all_of(hash.begin() + 7, hash.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/'; });
}

// Headers the toolkit lets a web config add: security headers only, so
// that none can change what a response means.
const std::set<std::string> kAllowedHeaders{"Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
                                            "X-XSS-Protection", "Content-Security-Policy"};

}  // namespace

WebConfig LoadWebConfig(const std::string& path) {
  // A directory (a secret mounted where the file was expected) reads as an
  // empty file: a config without TLS or users.
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw UsageError("--web.config.file " + path + ": cannot be read");
  if (!S_ISREG(st.st_mode)) throw UsageError("--web.config.file " + path + ": not a regular file");
  std::ifstream file(path, std::ios::binary);
  if (!file) throw UsageError("--web.config.file " + path + ": cannot be read");
  std::string text(kMaxWebConfigBytes + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  if (text.size() > kMaxWebConfigBytes) {
    throw UsageError("--web.config.file " + path + ": larger than " + std::to_string(kMaxWebConfigBytes) + " bytes");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UsageError("--web.config.file " + path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  WebConfig config;
  if (root.IsNull()) return config;  // an empty file: plain HTTP, no users
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
  try {
    CheckKeys(path, root, "", {"tls_server_config", "http_server_config", "basic_auth_users"}, {"rate_limit"});
    if (const YAML::Node tls = root["tls_server_config"]; tls && !tls.IsNull()) {
      config.tls = true;
      config.tls_config = ParseTls(path, tls);
      config.tls_config.cert_file = Resolve(dir, config.tls_config.cert_file);
      config.tls_config.key_file = Resolve(dir, config.tls_config.key_file);
      config.tls_config.client_ca_file = Resolve(dir, config.tls_config.client_ca_file);
    }
    if (const YAML::Node http = root["http_server_config"]; http && !http.IsNull()) {
      CheckKeys(path, http, "http_server_config", {"http2", "headers"});
      if (const YAML::Node headers = http["headers"]; headers && !headers.IsNull()) {
        CheckKeys(path, headers, "http_server_config.headers", kAllowedHeaders);
        for (const auto& entry : headers) {
          const std::string value = Scalar(path, entry.second, entry.first.Scalar());
          if (value.find_first_of("\r\n") != std::string::npos) {
            Refuse(path, entry.second, entry.first.Scalar() + ": a header value is one line");
          }
          config.headers.emplace_back(entry.first.Scalar(), value);
        }
      }
      // http2 is accepted: HTTP/1.1 is served, which every client speaks.
    }
    if (const YAML::Node users = root["basic_auth_users"]; users && !users.IsNull()) {
      if (!users.IsMap()) Refuse(path, users, "basic_auth_users: a mapping of user names to bcrypt hashes");
      for (const auto& entry : users) {
        const std::string user = entry.first.Scalar();
        const std::string hash = Scalar(path, entry.second, "basic_auth_users." + user);
        if (user.empty() || user.find(':') != std::string::npos) {
          Refuse(path, entry.first, "basic_auth_users: a user name is not empty and holds no ':'");
        }
        if (!IsBcryptHash(hash)) {
          Refuse(path, entry.second,
                 "basic_auth_users." + user + ": not a bcrypt hash of cost 4 to " + std::to_string(kMaxBcryptCost) +
                     " ($2y$10$ and 53 characters)");
        }
        config.basic_auth_users[user] = hash;
      }
    }
  } catch (const YAML::Exception& e) {
    throw UsageError("--web.config.file " + path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return config;
}

}  // namespace pping
