// SPDX-License-Identifier: Apache-2.0
// Clients that try to stall the endpoint, against the real server: idle
// connections by the thousand, slow-loris senders, clients that ask for a
// large body and never read it, a full connection table, garbage. Each
// test scrapes while the attack is on, and checks that the scrape is
// answered whole without waiting for any attacker's timeout, and that the
// attackers are cut off as the limits say. Scrape latencies are printed;
// the benchmark (scripts/benchmark.sh) measures them against the binary.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "exporter/exposition/exposition_source.h"
#include "exporter/exposition/exposition_stream.h"
#include "exporter/http/http_server.h"
#include "exporter/util/unique_fd.h"
#include "tests/support/http_get.h"

namespace pping {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A body of about `bytes`, in lines, yielding as the collector does.
class SizedSource : public ExpositionSource {
 public:
  explicit SizedSource(size_t bytes) : bytes_(bytes) {}
  void AppendExposition(ExpositionStream& out) override {
    out.text() += "# TYPE pping_test_line gauge\n";
    for (size_t written = 0, i = 0; written < bytes_; ++i) {
      const std::string line = "pping_test_line{n=\"" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
      out.text() += line;
      written += line.size();
      out.Yield();
    }
  }

 private:
  size_t bytes_;
};

uint64_t Closed(const HttpServer& server, HttpClose why) { return server.stats().closed[static_cast<size_t>(why)]; }

void SendAll(int fd, const std::string& text) {
  for (size_t at = 0; at < text.size();) {
    const ssize_t n = send(fd, text.data() + at, text.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return;
    at += static_cast<size_t>(n);
  }
}

// A client that asks for the metrics with a small receive buffer and
// never reads them.
UniqueFd AskAndNeverRead(int port) {
  UniqueFd fd = testing::ConnectLoopback(port);
  const int small = 4096;
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  SendAll(fd.get(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  return fd;
}

// Whether the server closed `fd` (a read sees the end) within `within`.
bool ClosedByServer(int fd, std::chrono::milliseconds within) {
  const Clock::time_point end = Clock::now() + within;
  char buffer[65536];
  while (Clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return true;
  }
  return false;
}

// Reads what arrives on `fd` until the server closes it.
std::string ReadToClose(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return out;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

struct Scrape {
  int status = 0;
  size_t bytes = 0;
  std::chrono::duration<double, std::milli> took{};
};

Scrape TimedScrape(int port) {
  const Clock::time_point start = Clock::now();
  const auto response = testing::HttpGet(port, "/metrics", testing::HttpVersion::k1_1);
  Scrape out;
  out.took = Clock::now() - start;
  if (response) {
    out.status = response->status;
    out.bytes = response->body.size();
  }
  return out;
}

// The test opens thousands of sockets of its own beside the server's.
void RaiseDescriptorLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

// A bound far above a scrape's own time and far below the attackers'
// timeouts: a scrape under it did not wait for any attacker.
constexpr auto kPromptly = 5000ms;

TEST(HttpAttack, TwoThousandIdleConnectionsDoNotDelayAScrape) {
  RaiseDescriptorLimit();
  WebOptions options{.listen_addresses = {"127.0.0.1:0"}, .read_header_timeout = 60s};
  HttpServer server(options);
  const auto source = std::make_shared<SizedSource>(1 << 20);
  server.AddSource(source);
  std::vector<UniqueFd> idle;
  for (int i = 0; i < 2000; ++i) {
    idle.push_back(testing::ConnectLoopback(server.port()));
    ASSERT_TRUE(idle.back()) << i;
  }
  for (int i = 0; i < 100 && server.stats().open < 2000; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(server.stats().open, 2000u);
  for (int i = 0; i < 5; ++i) {
    const Scrape s = TimedScrape(server.port());
    std::cout << "scrape with 2000 idle connections: " << s.took.count() << " ms\n";
    EXPECT_EQ(s.status, 200);
    EXPECT_GE(s.bytes, 1u << 20);
    EXPECT_LT(s.took, kPromptly);
  }
  EXPECT_EQ(Closed(server, HttpClose::kHeaderTimeout), 0u) << "the idle ones are still open: they waited for nothing";
}

TEST(HttpAttack, SlowLorisSendersAreCutAtTheHeaderDeadline) {
  RaiseDescriptorLimit();
  WebOptions options{.listen_addresses = {"127.0.0.1:0"}, .read_header_timeout = 1s};
  HttpServer server(options);
  const auto source = std::make_shared<SizedSource>(1 << 16);
  server.AddSource(source);
  std::vector<UniqueFd> slow;
  for (int i = 0; i < 500; ++i) slow.push_back(testing::ConnectLoopback(server.port()));
  const std::string head = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  // One byte from each every 100 ms: never a whole head.
  std::atomic<bool> done = false;
  std::thread trickle([&] {
    for (size_t i = 0; !done; ++i) {
      for (const UniqueFd& fd : slow) send(fd.get(), i < head.size() ? &head[i] : "a", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(100ms);
    }
  });
  std::this_thread::sleep_for(300ms);
  const Scrape s = TimedScrape(server.port());
  std::cout << "scrape with 500 slow-loris senders: " << s.took.count() << " ms\n";
  EXPECT_EQ(s.status, 200);
  EXPECT_LT(s.took, kPromptly);
  unsigned cut = 0;
  for (const UniqueFd& fd : slow) cut += ClosedByServer(fd.get(), 3000ms);
  done = true;
  trickle.join();
  EXPECT_EQ(cut, slow.size()) << "every sender is closed within the header deadline, however steadily it sends";
  EXPECT_GE(Closed(server, HttpClose::kHeaderTimeout), slow.size());
}

// Clients that ask for a large body and never read it: no lock is held
// on their sockets, and what they hold unsent is bounded (four bodies'
// worth): beyond it, the client blocked longest is cut off.
TEST(HttpAttack, ClientsThatNeverReadHoldUpNoScrape) {
  RaiseDescriptorLimit();
  WebOptions options{.listen_addresses = {"127.0.0.1:0"}, .write_timeout = 30s};
  HttpServer server(options);
  constexpr size_t kBody = 24 << 20;
  const auto source = std::make_shared<SizedSource>(kBody);
  server.AddSource(source);
  std::vector<UniqueFd> stuck;
  for (int i = 0; i < 8; ++i) {
    stuck.push_back(AskAndNeverRead(server.port()));
    // Each gets a render of its own: the previous one is over.
    std::this_thread::sleep_for(300ms);
  }
  const Scrape s = TimedScrape(server.port());
  std::cout << "scrape of " << s.bytes << " bytes with 8 clients not reading: " << s.took.count() << " ms\n";
  EXPECT_EQ(s.status, 200);
  EXPECT_GE(s.bytes, kBody);
  EXPECT_LT(s.took, kPromptly);
  EXPECT_EQ(server.stats().renders, 9u);
  const uint64_t cut = Closed(server, HttpClose::kSlowReader);
  // 8 bodies of 24 MiB against a budget of 96 MiB (64 MiB before the first
  // body's size is known), the scrape's own pieces counted while in transit.
  EXPECT_GE(cut, 3u);
  EXPECT_LE(cut, 7u) << "the scrape was not the one cut";
  EXPECT_TRUE(ClosedByServer(stuck[0].get(), 1000ms)) << "the one blocked longest went first";
}

// The write deadline cuts a client that does not read.
TEST(HttpAttack, AClientThatNeverReadsIsCutAtTheWriteDeadline) {
  WebOptions options{.listen_addresses = {"127.0.0.1:0"}, .write_timeout = 1s};
  HttpServer server(options);
  const auto source = std::make_shared<SizedSource>(24 << 20);
  server.AddSource(source);
  const UniqueFd fd = AskAndNeverRead(server.port());
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(server.stats().open, 0u);
  EXPECT_EQ(Closed(server, HttpClose::kWriteTimeout), 1u);
}

// At the connection limit a new client takes the place of the one that
// has waited longest for its request: a scraper always gets in.
TEST(HttpAttack, AtTheLimitTheLongestWaitingConnectionMakesRoom) {
  WebOptions options{.listen_addresses = {"127.0.0.1:0"}, .max_connections = 64, .read_header_timeout = 60s};
  HttpServer server(options);
  const auto source = std::make_shared<SizedSource>(1 << 10);
  server.AddSource(source);
  std::vector<UniqueFd> idle;
  for (int i = 0; i < 64; ++i) idle.push_back(testing::ConnectLoopback(server.port()));
  for (int i = 0; i < 100 && server.stats().open < 64; ++i) std::this_thread::sleep_for(20ms);
  for (int i = 0; i < 3; ++i) {
    const Scrape s = TimedScrape(server.port());
    EXPECT_EQ(s.status, 200);
    EXPECT_LT(s.took, kPromptly);
  }
  // Each scrape's connection closes after its answer: one replacement
  // made room for all three.
  EXPECT_EQ(Closed(server, HttpClose::kReplacedAtLimit), 1u);
  EXPECT_TRUE(ClosedByServer(idle[0].get(), 1000ms)) << "the oldest went first";
  EXPECT_FALSE(ClosedByServer(idle[1].get(), 200ms));
  EXPECT_LE(server.stats().open, 64u);
}

// Every slot held by a client that asked for a body and stopped reading:
// once stuck for 2 s, such a connection makes room for a new one.
TEST(HttpAttack, StalledAnswersDoNotHoldEverySlot) {
  WebOptions options{.listen_addresses = {"127.0.0.1:0"}, .max_connections = 16, .write_timeout = 60s};
  HttpServer server(options);
  const auto source = std::make_shared<SizedSource>(1 << 20);
  server.AddSource(source);
  std::vector<UniqueFd> stuck;
  for (int i = 0; i < 16; ++i) stuck.push_back(AskAndNeverRead(server.port()));
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(server.stats().open, 16u) << "all held, none cut: 16 MiB is within the budget";
  const Scrape s = TimedScrape(server.port());
  EXPECT_EQ(s.status, 200);
  EXPECT_GE(s.bytes, 1u << 20);
  EXPECT_EQ(Closed(server, HttpClose::kReplacedAtLimit), 1u);
  EXPECT_EQ(Closed(server, HttpClose::kRefusedAtLimit), 0u);
}

// HTTP/0.9, a TLS hello, an endless header: each is answered at once and
// closed, holding nothing.
TEST(HttpAttack, GarbageIsAnsweredAndClosedAtOnce) {
  HttpServer server("127.0.0.1:0", "/metrics");
  const auto source = std::make_shared<SizedSource>(1 << 10);
  server.AddSource(source);
  struct Case {
    std::string request;
    const char* status;
  };
  for (const Case& c : {Case{"GET /metrics\r\n", "400"}, Case{"\x16\x03\x01\x02\xfc\x01\x01\x01\xfc\x03\x03\n", "400"},
                        Case{"GET /metrics HTTP/1.0\r\nX: " + std::string(9000, 'a'), "431"},
                        Case{"POST /metrics HTTP/1.0\r\n\r\n", "405"},
                        Case{"GET /metrics HTTP/1.0\r\nContent-Length: 100\r\n\r\n", "413"}}) {
    const UniqueFd fd = testing::ConnectLoopback(server.port());
    const Clock::time_point start = Clock::now();
    SendAll(fd.get(), c.request);
    const std::string answer = ReadToClose(fd.get());
    EXPECT_EQ(answer.substr(0, 12), std::string("HTTP/1.1 ") + c.status) << c.request.substr(0, 20);
    EXPECT_LT(Clock::now() - start, kPromptly);
  }
  // The last client's close reaches the server a moment later.
  for (int i = 0; i < 50 && server.stats().open > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(Closed(server, HttpClose::kBadRequest), 4u) << "405 is an answer, not a bad request";
  EXPECT_EQ(TimedScrape(server.port()).status, 200);
}

TEST(HttpAttack, KeepAliveAndPipelinedRequestsOnOneConnection) {
  HttpServer server("127.0.0.1:0", "/metrics");
  const auto source = std::make_shared<SizedSource>(1 << 10);
  server.AddSource(source);
  const UniqueFd fd = testing::ConnectLoopback(server.port());
  SendAll(fd.get(),
          "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string answers = ReadToClose(fd.get());
  size_t count = 0;
  for (size_t at = answers.find("HTTP/1.1 "); at != std::string::npos; at = answers.find("HTTP/1.1 ", at + 1)) ++count;
  EXPECT_EQ(count, 3u) << answers.substr(0, 400);
  EXPECT_NE(answers.find("Healthy\n"), std::string::npos);
  EXPECT_NE(answers.find("pping_test_line{n=\"0\"} 0\n"), std::string::npos);
  EXPECT_NE(answers.find("HTTP/1.1 404"), std::string::npos);
  EXPECT_EQ(server.stats().accepted, 1u);
}

// A pipeline as long as a head may be, sent at once and read only at
// the end: every request is answered, in order, one after another.
TEST(HttpAttack, ALongPipelineIsAnsweredInOrder) {
  HttpServer server("127.0.0.1:0", "/metrics");
  const UniqueFd fd = testing::ConnectLoopback(server.port());
  std::string requests;
  int count = 0;
  for (; requests.size() < 8000; ++count) requests += "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n";
  SendAll(fd.get(), requests + "GET /-/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::this_thread::sleep_for(200ms);
  const std::string answers = ReadToClose(fd.get());
  int healthy = 0;
  for (size_t at = answers.find("Healthy\n"); at != std::string::npos; at = answers.find("Healthy\n", at + 1))
    ++healthy;
  EXPECT_EQ(healthy, count);
  EXPECT_TRUE(answers.ends_with("Not Ready\n"));
}

// A kept-alive connection that sends nothing is closed after the idle
// timeout; concurrent scrapes share one render.
TEST(HttpAttack, IdleKeptAliveConnectionsAreClosed) {
  WebOptions options{.listen_addresses = {"127.0.0.1:0"}, .idle_timeout = 500ms};
  HttpServer server(options);
  const auto source = std::make_shared<SizedSource>(1 << 10);
  server.AddSource(source);
  const UniqueFd fd = testing::ConnectLoopback(server.port());
  SendAll(fd.get(), "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(ClosedByServer(fd.get(), 2000ms));
  EXPECT_EQ(Closed(server, HttpClose::kIdleTimeout), 1u);
}

// Scrapes of one render share its pieces: eight of a 40 MiB body hold one
// body's worth, within the 64 MiB budget, and none is cut.
TEST(HttpAttack, ConcurrentScrapesShareARender) {
  HttpServer server("127.0.0.1:0", "/metrics");
  constexpr size_t kBody = 40 << 20;
  const auto source = std::make_shared<SizedSource>(kBody);
  server.AddSource(source);
  std::vector<std::thread> scrapers;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 8; ++i) {
    scrapers.emplace_back([&] { ok += TimedScrape(server.port()).bytes >= kBody; });
  }
  for (auto& t : scrapers) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_LT(server.stats().renders, 8u);
  EXPECT_EQ(Closed(server, HttpClose::kSlowReader), 0u);
}

}  // namespace
}  // namespace pping
