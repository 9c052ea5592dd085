// SPDX-License-Identifier: Apache-2.0
// The endpoint behind --web.config.file, as real clients see it: curl
// over TLS with certificates the openssl command made for this test,
// client certificates, basic auth with an htpasswd hash, and plain HTTP
// sent to the TLS port.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exporter/exposition/exposition_source.h"
#include "exporter/exposition/exposition_stream.h"
#include "exporter/http/http_server.h"
#include "exporter/util/error.h"
#include "exporter/util/unique_fd.h"
#include "tests/support/http_get.h"
#include "tests/support/process.h"
#include "tests/support/web_credentials.h"

namespace pping {
namespace {

using testing::ShellOutput;

constexpr char kBody[] = "# TYPE pping_test_value gauge\npping_test_value{prefix=\"192.0.2.0/24\"} 4\n";

class FixedSource : public ExpositionSource {
 public:
  void AppendExposition(ExpositionStream& out) override { out.text() += kBody; }
};

// A body of several pieces, so that TLS writes fill the socket and resume.
class LargeSource : public ExpositionSource {
 public:
  void AppendExposition(ExpositionStream& out) override { out.text() += Text(); }
  static std::string Text() {
    std::string text = "# TYPE pping_test_line gauge\n";
    for (int i = 0; i < 200000; ++i) text += "pping_test_line{n=\"" + std::to_string(i) + "\"} 1\n";
    return text;
  }
};

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir ? dir : "/tmp";
}

class WebSecurity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = testing::MakeTestCertificates(TempDir());
    hash_ = testing::BcryptHash("s3cret pass");
  }

  // A server on 127.0.0.1 with `yaml` as its web config.
  std::unique_ptr<HttpServer> Serve(const std::string& yaml) {
    const std::string path = certs_.dir + "/web-" + std::to_string(++configs_) + ".yml";
    std::ofstream(path) << yaml;
    auto server = std::make_unique<HttpServer>(
        WebOptions{.listen_addresses = {"127.0.0.1:0"}, .telemetry_path = "/metrics", .config_file = path});
    server->AddSource(source_);
    server->SetReady(true);
    return server;
  }

  std::string Tls(const std::string& extra = "") const {
    return "tls_server_config:\n  cert_file: " + certs_.server_cert + "\n  key_file: " + certs_.server_key + "\n" +
           extra;
  }

  // curl's output (body, or what -w asks for) and its errors.
  static std::string Curl(const std::string& args) { return ShellOutput("curl -sS --max-time 10 " + args, true); }
  static std::string Url(const HttpServer& s, const std::string& path, const std::string& scheme = "https") {
    return scheme + "://127.0.0.1:" + std::to_string(s.port()) + path;
  }
  // The status code curl saw ("000" when the connection failed).
  static std::string Status(const std::string& args) {
    return ShellOutput("curl -s --max-time 10 -o " + TempDir() + "/curl.out -w '%{http_code}' " + args);
  }

  static inline testing::TestCertificates certs_;
  static inline std::string hash_;
  std::shared_ptr<FixedSource> source_ = std::make_shared<FixedSource>();
  int configs_ = 0;
};

TEST_F(WebSecurity, ServesHttpsWithItsCertificate) {
  const auto server = Serve(Tls());
  EXPECT_TRUE(server->tls());
  const std::string ca = " --cacert " + certs_.ca_cert + " ";
  EXPECT_EQ(Curl(ca + Url(*server, "/metrics")), kBody);
  EXPECT_EQ(Curl(ca + "--compressed " + Url(*server, "/metrics")), kBody) << "gzip inside TLS";
  EXPECT_NE(Curl("--cacert " + certs_.other_ca_cert + " " + Url(*server, "/metrics")).find("certificate"),
            std::string::npos)
      << "a client that trusts another CA refuses it";
  // One connection for several requests: kept alive through TLS.
  const std::string two = Curl("-v" + ca + Url(*server, "/-/healthy") + " " + Url(*server, "/metrics"));
  EXPECT_NE(two.find("Re-using existing connection"), std::string::npos) << two;
  EXPECT_NE(two.find(kBody), std::string::npos) << two;
  EXPECT_EQ(server->stats().accepted, 4u);
}

// Plain HTTP to the TLS port is told what went wrong, in plain HTTP, as a
// Go exporter answers it; a TLS client offering only versions below the
// minimum fails its handshake. Neither stops the server.
// A body larger than the socket takes at once, to a client reading it
// slowly: sent whole through TLS's short writes and retries, chunked or
// compressed.
TEST_F(WebSecurity, ALargeBodyGoesThroughTlsWhole) {
  const auto server = Serve(Tls());
  const auto large = std::make_shared<LargeSource>();
  server->AddSource(large);
  const std::string expected = std::string(kBody) + LargeSource::Text();
  const std::string ca = " --cacert " + certs_.ca_cert + " ";
  EXPECT_EQ(Curl(ca + "--limit-rate 2M " + Url(*server, "/metrics")), expected);
  EXPECT_EQ(Curl(ca + "--http1.0 " + Url(*server, "/metrics")), expected);
  EXPECT_EQ(Curl(ca + "--compressed " + Url(*server, "/metrics")), expected);
}

TEST_F(WebSecurity, PlainHttpOrAnOldTlsVersionFailsCleanly) {
  const auto server = Serve(Tls("  min_version: TLS13\n"));
  const std::string plain = Curl("-i " + Url(*server, "/metrics", "http"));
  EXPECT_NE(plain.find("HTTP/1.1 400 Bad Request"), std::string::npos) << plain;
  EXPECT_NE(plain.find("Client sent an HTTP request to an HTTPS server."), std::string::npos) << plain;
  EXPECT_EQ(plain.find("pping_test_value"), std::string::npos);
  EXPECT_EQ(Status("--cacert " + certs_.ca_cert + " --tls-max 1.2 " + Url(*server, "/metrics")), "000");
  EXPECT_EQ(Status("--cacert " + certs_.ca_cert + " " + Url(*server, "/metrics")), "200");
  const std::string garbage = ShellOutput(
      "printf '\\026\\003\\001\\000\\005hello' | timeout 5 openssl s_client "
      "-quiet -connect 127.0.0.1:" +
          std::to_string(server->port()) + " -tls1_2 </dev/null",
      true);
  EXPECT_GE(server->stats().closed[static_cast<size_t>(HttpClose::kTlsError)], 2u) << garbage;
  EXPECT_EQ(Status("--cacert " + certs_.ca_cert + " " + Url(*server, "/-/ready")), "200");
}

// Handshakes begun and left hanging hold a descriptor each, never the
// loop: a scrape over TLS is served meanwhile, and they are cut at the
// header deadline like any slow client.
TEST_F(WebSecurity, StalledHandshakesDoNotHoldUpScrapes) {
  const std::string path = certs_.dir + "/stall.yml";
  std::ofstream(path) << Tls();
  HttpServer server(WebOptions{.listen_addresses = {"127.0.0.1:0"},
                               .telemetry_path = "/metrics",
                               .config_file = path,
                               .read_header_timeout = std::chrono::seconds(1)});
  server.AddSource(source_);
  std::vector<UniqueFd> stalled;
  for (int i = 0; i < 200; ++i) {
    UniqueFd fd = testing::ConnectLoopback(server.port());
    ASSERT_TRUE(fd);
    const char partial_hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};  // a record header and one byte
    ASSERT_EQ(write(fd.get(), partial_hello, sizeof(partial_hello)), static_cast<ssize_t>(sizeof(partial_hello)));
    stalled.push_back(std::move(fd));
  }
  EXPECT_EQ(Curl("--cacert " + certs_.ca_cert + " " + Url(server, "/metrics")), kBody);
  for (int i = 0; i < 50 && server.stats().closed[static_cast<size_t>(HttpClose::kHeaderTimeout)] < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(server.stats().closed[static_cast<size_t>(HttpClose::kHeaderTimeout)], 200u);
}

TEST_F(WebSecurity, ClientCertificatesAreRequiredAndVerified) {
  const auto server =
      Serve(Tls("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " + certs_.ca_cert + "\n"));
  const std::string ca = "--cacert " + certs_.ca_cert + " ";
  EXPECT_EQ(Status(ca + Url(*server, "/metrics")), "000") << "no client certificate";
  EXPECT_EQ(Curl(ca + "--cert " + certs_.client_cert + " --key " + certs_.client_key + " " + Url(*server, "/metrics")),
            kBody);
  // A certificate of the right shape from a CA the server does not trust.
  const std::string other = certs_.dir + "/stranger";
  ShellOutput("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + other + ".key -out " +
              other + ".crt -days 2 -subj /CN=stranger");
  EXPECT_EQ(Status(ca + "--cert " + other + ".crt --key " + other + ".key " + Url(*server, "/metrics")), "000");
}

TEST_F(WebSecurity, BasicAuthAnswers401UntilTheRightCredentials) {
  const auto server = Serve("basic_auth_users:\n  prometheus: " + hash_ + "\n");
  EXPECT_FALSE(server->tls()) << "auth without TLS, as the toolkit allows";
  const std::string url = Url(*server, "/metrics", "http");
  const std::string refused = Curl("-i " + url);
  EXPECT_NE(refused.find("HTTP/1.1 401 Unauthorized"), std::string::npos) << refused;
  EXPECT_NE(refused.find("WWW-Authenticate: Basic realm=\"pping_exporter\""), std::string::npos) << refused;
  EXPECT_EQ(refused.find("pping_test_value"), std::string::npos);
  EXPECT_EQ(Status("-u 'prometheus:wrong' " + url), "401");
  EXPECT_EQ(Status("-u 'nobody:s3cret pass' " + url), "401");
  EXPECT_EQ(Status("-H 'Authorization: Bearer s3cret' " + url), "401");
  for (const char* path : {"/", "/-/healthy", "/-/ready", "/nothing"}) {
    EXPECT_EQ(Status(Url(*server, path, "http")), "401") << path << ": every path asks";
  }
  EXPECT_EQ(Curl("-u 'prometheus:s3cret pass' " + url), kBody);
  EXPECT_EQ(Curl("-u 'prometheus:s3cret pass' --compressed " + url), kBody);
  EXPECT_EQ(Status("-I -u 'prometheus:s3cret pass' " + url), "200");
  EXPECT_EQ(server->stats().unauthorized, 8u);
}

TEST_F(WebSecurity, TlsClientCertificatesAndBasicAuthTogether) {
  const auto server = Serve(Tls("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " + certs_.ca_cert +
                                "\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n") +
                            "basic_auth_users:\n  prometheus: " + hash_ + "\n");
  const std::string tls =
      "--cacert " + certs_.ca_cert + " --cert " + certs_.client_cert + " --key " + certs_.client_key + " ";
  EXPECT_EQ(Status(tls + Url(*server, "/metrics")), "401");
  const std::string served = Curl("-i " + tls + "-u 'prometheus:s3cret pass' " + Url(*server, "/metrics"));
  EXPECT_NE(served.find("HTTP/1.1 200 OK"), std::string::npos) << served;
  EXPECT_NE(served.find("X-Frame-Options: deny"), std::string::npos) << served;
  EXPECT_NE(served.find(kBody), std::string::npos) << served;
}

// Wrong guesses, however many, are checked one at a time off the event
// loop (or turned away once too many wait): a scraper whose credentials
// passed before keeps being served meanwhile.
TEST_F(WebSecurity, GuessingPasswordsDoesNotLockOutTheScraper) {
  const auto server = Serve("basic_auth_users:\n  prometheus: " + hash_ + "\n");
  const std::string good = "Authorization: Basic cHJvbWV0aGV1czpzM2NyZXQgcGFzcw==\r\n";  // prometheus:s3cret pass
  ASSERT_EQ(testing::HttpGet(server->port(), "/metrics", testing::HttpVersion::k1_1, "GET", good)->status, 200);
  std::vector<std::thread> guessers;
  std::atomic<int> answered{0}, busy{0};
  std::mutex failures_mu;
  std::string failures;
  // More guessers at once than checks may wait.
  constexpr int kGuessers = 64, kGuesses = 3;
  for (int t = 0; t < kGuessers; ++t) {
    guessers.emplace_back([&] {
      for (int i = 0; i < kGuesses; ++i) {
        // prometheus:guess
        const auto r = testing::HttpGet(server->port(), "/metrics", testing::HttpVersion::k1_1, "GET",
                                        "Authorization: Basic cHJvbWV0aGV1czpndWVzcw==\r\n");
        answered += r && (r->status == 401 || r->status == 503);
        if (!r || (r->status != 401 && r->status != 503)) {
          std::lock_guard lock(failures_mu);
          failures += (r ? "status " + std::to_string(r->status) : std::string("no response")) + " errno " +
                      std::to_string(testing::last_read_error) + "; ";
        }
        busy += r && r->status == 503;
      }
    });
  }
  // A scraper logging in for the first time, from an address of its own,
  // while the guesses go on: the guessers' address has few places.
  std::string first_login;
  std::thread login([&] {
    first_login =
        ShellOutput("curl -s --max-time 10 --interface 127.0.0.2 -o " + TempDir() +
                    "/login.out -w '%{http_code}' -u 'prometheus:s3cret pass' " + Url(*server, "/metrics", "http"));
  });
  int served = 0;
  std::string refused;  // what the scrapes that were not served got
  for (int i = 0; i < 20; ++i) {
    const auto r = testing::HttpGet(server->port(), "/metrics", testing::HttpVersion::k1_1, "GET", good);
    const bool ok = r && r->status == 200 && r->body == kBody;
    served += ok;
    if (!ok) {
      refused +=
          r ? r->headers + r->body + "\n" : "no response, errno " + std::to_string(testing::last_read_error) + "\n";
    }
  }
  for (std::thread& t : guessers) t.join();
  login.join();
  std::string closes;
  for (size_t i = 0; i < static_cast<size_t>(HttpClose::kCount); ++i) {
    closes +=
        std::string(HttpCloseName(static_cast<HttpClose>(i))) + "=" + std::to_string(server->stats().closed[i]) + " ";
  }
  closes +=
      "accepted=" + std::to_string(server->stats().accepted) + " limit=" + std::to_string(server->max_connections());
  EXPECT_EQ(first_login, "200");
  EXPECT_EQ(served, 20) << refused << closes;
  EXPECT_EQ(answered, kGuessers * kGuesses) << "every guess got an answer; " << failures << closes;
  EXPECT_GT(busy, 0) << "guesses beyond the queue are turned away at once";
}

// A renewed certificate, a new password, TLS turned on: each is in force
// for the next connection, without a restart; a broken edit is refused and
// what was in force kept.
TEST_F(WebSecurity, ChangesToTheConfigAndItsFilesAreReadAgain) {
  const std::string cert = certs_.dir + "/live.crt", key = certs_.dir + "/live.key";
  ShellOutput("cp " + certs_.server_cert + " " + cert + " && cp " + certs_.server_key + " " + key);
  const std::string path = certs_.dir + "/live.yml";
  // Replaced whole, as a Kubernetes secret or a careful operator does: the
  // server never reads a file half written.
  const auto replace = [](const std::string& file, const std::string& text) {
    std::ofstream(file + ".new") << text;
    std::rename((file + ".new").c_str(), file.c_str());
  };
  replace(path, "basic_auth_users:\n  prometheus: " + hash_ + "\n");
  HttpServer server(WebOptions{.listen_addresses = {"127.0.0.1:0"}, .telemetry_path = "/metrics", .config_file = path});
  server.AddSource(source_);
  const std::string http = Url(server, "/metrics", "http");
  const std::string https = "--cacert " + certs_.ca_cert + " " + Url(server, "/metrics");
  EXPECT_EQ(Status("-u 'prometheus:s3cret pass' " + http), "200");
  const auto eventually = [&](const std::string& args, const std::string& status) {
    for (int i = 0; i < 50; ++i) {
      if (Status(args) == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };

  const std::string users = "basic_auth_users:\n  prometheus: " + testing::BcryptHash("new pass") + "\n";
  replace(path, users);
  EXPECT_TRUE(eventually("-u 'prometheus:new pass' " + http, "200"));
  EXPECT_EQ(Status("-u 'prometheus:s3cret pass' " + http), "401") << "the old password no longer passes";

  const std::string creds = "-u 'prometheus:new pass' ";
  replace(path, users + "tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key + "\n");
  EXPECT_TRUE(eventually(creds + https, "200"));
  EXPECT_EQ(server.stats().config_reloads, 2u);

  // The certificate renewed in place (by another CA, to tell them apart).
  const std::string other = certs_.dir + "/renewed";
  ShellOutput("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + other + ".key -out " +
              other + ".crt -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1");
  ShellOutput("cp " + other + ".key " + key + ".new && cp " + other + ".crt " + cert + ".new && mv " + key + ".new " +
              key + " && mv " + cert + ".new " + cert);
  const std::string renewed = creds + "--cacert " + other + ".crt " + Url(server, "/metrics");
  EXPECT_TRUE(eventually(renewed, "200"));

  // An edit that cannot be used, one that drops TLS, one that drops the
  // users, an emptied file: each is refused, counted, and what was in
  // force kept. (The key and certificate were replaced one after the
  // other: a check between the two may have found them apart already.)
  for (const std::string& edit :
       {users + "tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: " + key + "\n", users,
        "tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key + "\n", std::string()}) {
    const uint64_t failures = server.stats().config_reload_failures;
    replace(path, edit);
    for (int i = 0; i < 50 && server.stats().config_reload_failures == failures; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(server.stats().config_reload_failures, failures + 1) << edit;
    EXPECT_EQ(Status(renewed), "200") << "the last good one kept after: " << edit;
    EXPECT_EQ(Status("--cacert " + other + ".crt " + Url(server, "/metrics")), "401") << edit;
  }
  EXPECT_TRUE(server.tls());
  EXPECT_TRUE(server.basic_auth());
}

TEST_F(WebSecurity, AConfigThatCannotBeUsedIsRefusedInOneLine) {
  const auto refusal = [&](const std::string& yaml) {
    const std::string path = certs_.dir + "/bad.yml";
    std::ofstream(path) << yaml;
    try {
      CheckWebConfigFile(path);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refusal("tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: " + certs_.server_key + "\n")
                .find("cert_file /nonexistent.crt"),
            std::string::npos);
  EXPECT_NE(
      refusal("tls_server_config:\n  cert_file: " + certs_.server_cert + "\n  key_file: " + certs_.client_key + "\n")
          .find("key_file " + certs_.client_key),
      std::string::npos);
  EXPECT_NE(refusal(Tls("  cipher_suites: [TLS_AES_128_GCM_SHA256]\n")).find("is not a TLS 1.2 suite"),
            std::string::npos);
  EXPECT_EQ(refusal(Tls("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [X25519]\n")),
            "accepted");
  EXPECT_EQ(refusal(Tls()), "accepted");
}

}  // namespace
}  // namespace pping
