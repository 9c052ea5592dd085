// SPDX-License-Identifier: Apache-2.0
// The HTTP endpoint: the exposition with its length and the versioned
// Content-Type, health and readiness, and listen addresses that cannot be
// used. The attacks it must withstand: http_attack_test.cc.
#include "exporter/http/http_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "exporter/exposition/exposition_source.h"
#include "exporter/exposition/exposition_stream.h"
#include "exporter/exposition/text_buffer.h"
#include "exporter/util/build_info.h"
#include "exporter/util/error.h"
#include "exporter/util/thread_privileges.h"
#include "tests/support/gunzip.h"
#include "tests/support/http_get.h"
#include "tests/support/process.h"

namespace pping {
namespace {

class FixedSource : public ExpositionSource {
 public:
  void AppendExposition(ExpositionStream& out) override {
    out.text() += "# TYPE pping_test_value gauge\npping_test_value{prefix=\"192.0.2.0/24\"} 4\n";
  }
};

// Many lines, yielding after each: the body leaves in several pieces.
class LargeSource : public ExpositionSource {
 public:
  // Lines of ~30 bytes: over five pieces.
  static constexpr int kLines = static_cast<int>(5 * ExpositionStream::kPieceBytes / 25);
  void AppendExposition(ExpositionStream& out) override {
    out.text() += "# TYPE pping_test_line gauge\n";
    for (int i = 0; i < kLines; ++i) {
      out.text() += "pping_test_line{n=\"" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
      out.Yield();
    }
  }
  static std::string Expected() {
    TextBuffer text;
    ExpositionStream whole(
        text, [](std::string_view) { return true; }, SIZE_MAX);
    LargeSource().AppendExposition(whole);
    return std::string(text.view());
  }
};

// The exposition leaves as it is rendered: chunked to HTTP/1.1 clients,
// to the connection's close for HTTP/1.0 ones; other pages have a length.
TEST(HttpServer, StreamsALargeBodyWholeToHttp10AndChunkedToHttp11) {
  HttpServer server("127.0.0.1:0", "/metrics");
  auto source = std::make_shared<LargeSource>();
  server.AddSource(source);
  const std::string expected = LargeSource::Expected();
  ASSERT_GT(expected.size(), 4 * ExpositionStream::kPieceBytes);
  const auto v10 = testing::HttpGet(server.port(), "/metrics");
  ASSERT_TRUE(v10);
  EXPECT_EQ(v10->status, 200);
  EXPECT_EQ(v10->Header("Transfer-Encoding"), "");
  EXPECT_EQ(v10->Header("Connection"), "close");
  EXPECT_EQ(v10->body, expected);
  const auto v11 = testing::HttpGet(server.port(), "/metrics", testing::HttpVersion::k1_1);
  ASSERT_TRUE(v11) << "the chunked body is malformed or misses its last chunk";
  EXPECT_EQ(v11->Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(v11->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(v11->body, expected);
  EXPECT_EQ(testing::HttpGet(server.port(), "/-/healthy")->Header("Content-Length"), "8");
}

// Compressed when the client asks, and only then: a gzip scrape and a
// plain one at the same time get the same text, the compressed one
// several times smaller.
TEST(HttpServer, CompressesTheExpositionForClientsThatAcceptGzip) {
  HttpServer server("127.0.0.1:0", "/metrics");
  const auto source = std::make_shared<LargeSource>();  // the server holds it weakly
  server.AddSource(source);
  const std::string expected = LargeSource::Expected();
  std::optional<testing::HttpResponse> gzip, plain;
  std::thread a([&] {
    gzip = testing::HttpGet(server.port(), "/metrics", testing::HttpVersion::k1_1, "GET", "Accept-Encoding: gzip\r\n");
  });
  std::thread b([&] { plain = testing::HttpGet(server.port(), "/metrics", testing::HttpVersion::k1_1); });
  a.join();
  b.join();
  ASSERT_TRUE(gzip && plain);
  EXPECT_EQ(gzip->Header("Content-Encoding"), "gzip");
  EXPECT_EQ(gzip->Header("Vary"), "Accept-Encoding");
  EXPECT_LT(gzip->body.size() * 4, expected.size());
  EXPECT_EQ(testing::Gunzip(gzip->body), expected);
  EXPECT_EQ(plain->Header("Content-Encoding"), "");
  EXPECT_EQ(plain->Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain->body, expected);

  // HTTP/1.0 (the body ends with the connection); a refused coding.
  const auto v10 = testing::HttpGet(server.port(), "/metrics", testing::HttpVersion::k1_0, "GET",
                                    "Accept-Encoding: deflate, gzip\r\n");
  ASSERT_TRUE(v10);
  EXPECT_EQ(testing::Gunzip(v10->body), expected);
  const auto refused = testing::HttpGet(server.port(), "/metrics", testing::HttpVersion::k1_1, "GET",
                                        "Accept-Encoding: gzip;q=0, identity\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->Header("Content-Encoding"), "");
  EXPECT_EQ(refused->body, expected);
  const auto head =
      testing::HttpGet(server.port(), "/metrics", testing::HttpVersion::k1_1, "HEAD", "Accept-Encoding: gzip\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("Content-Encoding"), "gzip");

  // curl, as a user checks it: asks for gzip and decodes it.
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics";
  EXPECT_EQ(testing::ShellOutput("curl -s --compressed " + url), expected);
  EXPECT_NE(testing::ShellOutput("curl -s --compressed -o /dev/null -D - " + url).find("Content-Encoding: gzip"),
            std::string::npos);
}

TEST(HttpServer, ServesExpositionWithVersionedContentType) {
  HttpServer server("127.0.0.1:0", "/custom-metrics");
  auto source = std::make_shared<FixedSource>();
  server.AddSource(source);
  ASSERT_GT(server.port(), 0);
  const auto metrics = testing::HttpGet(server.port(), "/custom-metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics->body, "# TYPE pping_test_value gauge\npping_test_value{prefix=\"192.0.2.0/24\"} 4\n");
  const auto landing = testing::HttpGet(server.port(), "/");
  ASSERT_TRUE(landing);
  EXPECT_NE(landing->body.find("href=\"/custom-metrics\""), std::string::npos);
}

// The landing page names the version and the settings in force, escaped:
// an interface or namespace name is the operator's, not HTML.
TEST(HttpServer, TheLandingPageShowsTheVersionAndSettings) {
  HttpServer server("127.0.0.1:0", "/metrics");
  server.SetLandingDetails({{"interfaces", "eth0"}, {"netns", "<script>alert(1)</script>&"}});
  const auto landing = testing::HttpGet(server.port(), "/");
  ASSERT_TRUE(landing);
  const BuildInfo& b = GetBuildInfo();
  EXPECT_NE(landing->body.find("Version " + b.version + " (branch " + b.branch + ", revision " + b.revision),
            std::string::npos)
      << landing->body;
  EXPECT_NE(landing->body.find("<tr><td>interfaces</td><td>eth0</td></tr>"), std::string::npos);
  EXPECT_NE(landing->body.find("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"), std::string::npos);
  EXPECT_EQ(landing->body.find("<script>"), std::string::npos);
}

TEST(HttpServer, HealthyAtOnceReadyWhenToldSo) {
  HttpServer server("127.0.0.1:0", "/metrics");
  EXPECT_EQ(testing::HttpGet(server.port(), "/-/healthy")->status, 200);
  EXPECT_EQ(testing::HttpGet(server.port(), "/-/ready")->status, 503);
  server.SetReady(true);
  const auto ready = testing::HttpGet(server.port(), "/-/ready");
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "Ready\n");
}

// Each endpoint answers its own path only: not a longer one, not in other
// case.
TEST(HttpServer, EndpointsAnswerTheirExactPathOnly) {
  HttpServer server("127.0.0.1:0", "/metrics");
  server.AddSource(std::make_shared<FixedSource>());
  for (const char* path : {"/metricsX", "/METRICS", "/metrics/", "/Metrics", "/-/healthyX", "/-/HEALTHY", "/-/ready/x",
                           "/index.html", "/x"}) {
    const auto response = testing::HttpGet(server.port(), path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 404) << path;
    EXPECT_EQ(response->body.find("pping_test_value"), std::string::npos) << path;
  }
  EXPECT_EQ(testing::HttpGet(server.port(), "/metrics")->status, 200);
  EXPECT_EQ(testing::HttpGet(server.port(), "/")->status, 200);
}

TEST(HttpServer, HeadGetsTheHeadersOfEachEndpoint) {
  HttpServer server("127.0.0.1:0", "/metrics");
  server.AddSource(std::make_shared<FixedSource>());
  for (const char* path : {"/metrics", "/", "/-/healthy", "/-/ready"}) {
    const auto head = testing::HttpGet(server.port(), path, testing::HttpVersion::k1_0, "HEAD");
    ASSERT_TRUE(head) << path;
    EXPECT_EQ(head->status, std::string(path) == "/-/ready" ? 503 : 200) << path;
    EXPECT_EQ(head->body, "") << path;
  }
  EXPECT_EQ(testing::HttpGet(server.port(), "/metrics", testing::HttpVersion::k1_0, "HEAD")->Header("Content-Type"),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(testing::HttpGet(server.port(), "/metricsX", testing::HttpVersion::k1_0, "HEAD")->status, 404);
}

TEST(HttpServer, PortInUseIsAUsageError) {
  HttpServer first("127.0.0.1:0", "/metrics");
  EXPECT_THROW(HttpServer("127.0.0.1:" + std::to_string(first.port()), "/metrics"), UsageError);
}

// Each reason an address cannot be used is named.
TEST(HttpServer, EachUnusableListenAddressIsNamed) {
  HttpServer first("127.0.0.1:0", "/metrics");
  const std::string busy = "127.0.0.1:" + std::to_string(first.port());
  EXPECT_EQ(ListenAddressProblem(busy), "port " + std::to_string(first.port()) + " is in use");
  EXPECT_EQ(ListenAddressProblem("9789"), "no port: give [host]:port, e.g. :9789");
  EXPECT_EQ(ListenAddressProblem(":"), "invalid port ''");
  EXPECT_EQ(ListenAddressProblem(":97890"), "invalid port '97890'");
  EXPECT_EQ(ListenAddressProblem(":http"), "invalid port 'http'");
  EXPECT_EQ(ListenAddressProblem("localhost:9789"), "host 'localhost' is not an IPv4 address");
  EXPECT_EQ(ListenAddressProblem("192.0.2.123:9789"), "192.0.2.123 is not an address of this host");
  EXPECT_EQ(ListenAddressProblem("127.0.0.1:0"), "");
  EXPECT_EQ(ListenAddressProblem(":0"), "");
  try {
    HttpServer second(busy, "/metrics");
    ADD_FAILURE() << "a second server on " << busy;
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "listen on " + busy + ": port " + std::to_string(first.port()) + " is in use");
  }
}

// The thread that reads what clients send holds no capability, and the
// one that renders only the use of BPF descriptors, whatever the process
// holds; the test process's own threads keep theirs.
TEST(HttpServer, ItsThreadsGiveUpTheCapabilitiesTheyDoNotNeed) {
  HttpServer server("127.0.0.1:0", "/metrics");
  // A scrape is answered by both threads: each has restricted itself.
  ASSERT_EQ(testing::HttpGet(server.port(), "/metrics")->status, 200);
  const uint64_t bpf = BpfUseCapabilities();
  std::map<std::string, int> found;
  for (const testing::ThreadStatus& t : testing::ThreadsOf(getpid())) {
    if (t.name != "pping-http" && t.name != "pping-render") continue;
    ++found[t.name];
    const uint64_t want = t.name == "pping-http" ? 0 : PermittedCapabilities() & bpf;
    EXPECT_EQ(t.effective, want) << t.name;
    EXPECT_EQ(t.permitted, want) << t.name;
    EXPECT_EQ(t.inheritable, 0u) << t.name;
  }
  EXPECT_EQ(found, (std::map<std::string, int>{{"pping-http", 1}, {"pping-render", 1}}));
  if (geteuid() == 0) {
    EXPECT_NE(PermittedCapabilities() & ~bpf, 0u) << "only those threads gave them up";
  }
}

// Every listen address is served; one without a host takes IPv6 and IPv4
// on one socket.
TEST(HttpServer, ServesEveryListenAddressAndBothFamiliesWithoutAHost) {
  HttpServer server(WebOptions{.listen_addresses = {"127.0.0.1:0", "[::1]:0", ":0"}});
  server.SetReady(true);
  const std::vector<ListenAddress> bound = server.bound();
  ASSERT_EQ(bound.size(), 3u);
  EXPECT_EQ(bound[0].host, "127.0.0.1");
  EXPECT_EQ(bound[0].port, server.port());
  EXPECT_EQ(bound[1].host, "[::1]");
  EXPECT_EQ(bound[2].host, "[::]");
  const auto ready = [](const std::string& host, int port) {
    return testing::ShellOutput("curl -s -g http://" + host + ":" + std::to_string(port) + "/-/ready");
  };
  EXPECT_EQ(ready("127.0.0.1", bound[0].port), "Ready\n");
  EXPECT_EQ(ready("[::1]", bound[1].port), "Ready\n");
  EXPECT_EQ(ready("[::1]", bound[2].port), "Ready\n");
  EXPECT_EQ(ready("127.0.0.1", bound[2].port), "Ready\n");
  EXPECT_EQ(ready("127.0.0.1", bound[1].port), "") << "a bracketed address is IPv6 alone";
}

TEST(HttpServer, ListensOnIpv6) {
  HttpServer server("[::1]:0", "/metrics");
  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(ListenAddressProblem("[::1]:0"), "");
  EXPECT_EQ(ListenAddressProblem("[::1:0"), "host '[::1' is not an IPv6 address in brackets");
  EXPECT_EQ(ListenAddressProblem("[192.0.2.1]:0"), "host '192.0.2.1' is not an IPv6 address");
}

}  // namespace
}  // namespace pping
