// SPDX-License-Identifier: Apache-2.0
// Request heads as clients send them, and as attackers do: HTTP/0.9,
// folded and oversized headers, bodies, other versions, pipelining.
#include "exporter/http/request.h"

#include <gtest/gtest.h>

#include <string>

namespace pping {
namespace {

using Status = ParsedRequest::Status;
constexpr size_t kMax = 8192;

TEST(Request, AScrapersRequest) {
  const std::string in =
      "GET /metrics?x=1 HTTP/1.1\r\nHost: 192.0.2.1:9789\r\nUser-Agent: Prometheus/2.42.0\r\n"
      "Accept-Encoding: gzip\r\nAuthorization: Basic cDpx\r\n\r\n";
  const ParsedRequest p = ParseRequest(in, kMax);
  ASSERT_EQ(p.status, Status::kComplete);
  EXPECT_EQ(p.consumed, in.size());
  EXPECT_EQ(p.request.method, "GET");
  EXPECT_EQ(p.request.path, "/metrics");
  EXPECT_EQ(p.request.minor_version, 1);
  EXPECT_TRUE(p.request.keep_alive);
  EXPECT_EQ(p.request.accept_encoding, "gzip");
  EXPECT_EQ(p.request.authorization, "Basic cDpx");
}

TEST(Request, IncompleteUntilTheEmptyLine) {
  const std::string in = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t n = 0; n < in.size(); ++n) {
    EXPECT_EQ(ParseRequest(in.substr(0, n), kMax).status, Status::kIncomplete) << n;
  }
  EXPECT_EQ(ParseRequest(in, kMax).status, Status::kComplete);
}

TEST(Request, KeepAliveByVersionAndConnectionHeader) {
  EXPECT_FALSE(ParseRequest("GET / HTTP/1.0\r\n\r\n", kMax).request.keep_alive);
  EXPECT_TRUE(ParseRequest("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", kMax).request.keep_alive);
  EXPECT_FALSE(ParseRequest("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", kMax).request.keep_alive);
  EXPECT_FALSE(ParseRequest("GET / HTTP/1.1\r\nHost: x\r\nConnection: te, Close\r\n\r\n", kMax).request.keep_alive);
}

TEST(Request, BareLineFeedsAndLeadingEmptyLines) {
  const ParsedRequest p = ParseRequest("\r\n\nGET /-/ready HTTP/1.0\nX: y\n\n", kMax);
  ASSERT_EQ(p.status, Status::kComplete);
  EXPECT_EQ(p.request.path, "/-/ready");
}

TEST(Request, AbsoluteFormGivesThePath) {
  EXPECT_EQ(ParseRequest("GET http://h:9789/metrics HTTP/1.1\r\nHost: h\r\n\r\n", kMax).request.path, "/metrics");
  EXPECT_EQ(ParseRequest("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n", kMax).request.path, "/");
}

TEST(Request, PipelinedRequestsOneAtATime) {
  const std::string one = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const ParsedRequest p = ParseRequest(one + "GET /b HTTP/1.1\r\n", kMax);
  ASSERT_EQ(p.status, Status::kComplete);
  EXPECT_EQ(p.consumed, one.size());
  EXPECT_EQ(p.request.path, "/a");
}

struct BadCase {
  const char* in;
  int status;
};

TEST(Request, BadHeadsAreRefusedWithTheirStatus) {
  for (const BadCase& bad : {
           BadCase{"GET /\r\n", 400},                                             // HTTP/0.9, refused at once
           BadCase{"GET / HTTP/2.0\r\n\r\n", 505},                                // another version
           BadCase{"GET / HTTP/1.1\r\n\r\n", 400},                                // 1.1 without Host
           BadCase{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},          // two Hosts
           BadCase{"GET / HTTP/1.0\r\nX: a\r\n  folded\r\n\r\n", 400},            // obs-fold
           BadCase{"GET / HTTP/1.0\r\nX : a\r\n\r\n", 400},                       // space before the colon
           BadCase{"GET / HTTP/1.0\r\nno colon\r\n\r\n", 400},                    //
           BadCase{"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 501},  // a body
           BadCase{"GET / HTTP/1.0\r\nContent-Length: 5\r\n\r\n", 413},           //
           BadCase{"GET metrics HTTP/1.0\r\n\r\n", 400},                          // not a path
           BadCase{"GET /a\x01 HTTP/1.0\r\n\r\n", 400},                           // a control byte
           BadCase{"GET / HTTP/1.0\r\nX: a\rb\r\n\r\n", 400},                     // a bare CR in a value
           BadCase{"GET / HTTP/1.0\r\nX: a\x01\r\n\r\n", 400},                    // a control byte in a value
           BadCase{"G(T / HTTP/1.0\r\n\r\n", 400},                                // not a token
           BadCase{"GET  / HTTP/1.0\r\n\r\n", 400},                               // two spaces
           BadCase{"\x16\x03\x01\x02\xfc\x01\x01\x01\xfc\x03\x03\n", 400},        // a TLS hello
       }) {
    const ParsedRequest p = ParseRequest(bad.in, kMax);
    EXPECT_EQ(p.status, Status::kBad) << bad.in;
    EXPECT_EQ(p.error, bad.status) << bad.in;
  }
  EXPECT_EQ(ParseRequest("GET / HTTP/1.0\r\nContent-Length: 0\r\n\r\n", kMax).status, Status::kComplete);
}

// A head that never ends is refused once it passes the bound, whether its
// lines end or not: it cannot grow a connection's buffer without limit.
TEST(Request, OversizedHeadsAreRefusedBeforeTheyEnd) {
  std::string in = "GET / HTTP/1.0\r\n";
  while (in.size() <= 100) in += "X-Pad: aaaaaaaaaaaa\r\n";
  EXPECT_EQ(ParseRequest(in, 100).error, 431);
  EXPECT_EQ(ParseRequest(std::string(101, 'G'), 100).error, 431);
  std::string many = "GET / HTTP/1.0\r\n";
  for (int i = 0; i < 200; ++i) many += "A: b\r\n";
  EXPECT_EQ(ParseRequest(many + "\r\n", kMax).error, 431) << "too many headers";
}

TEST(AcceptsGzip, ByNameWeightAndWildcard) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("identity;q=1, *;q=0.1"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, *"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=nonsense"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=1e400"));
}

}  // namespace
}  // namespace pping
