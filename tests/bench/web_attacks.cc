// SPDX-License-Identifier: Apache-2.0
// Scrapes of /metrics while clients misbehave towards the HTTP endpoint:
// idle connections, slow-loris senders, clients that never read their
// response, a flood of connections beyond the exporter's limit. The attacks
// run from this process over plain sockets (a thread of their own, poll);
// the scrapes start on a fixed schedule as Prometheus's do, each with a
// timeout, whether or not the previous one has answered.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/bench/exporter_probe.h"
#include "tests/bench/percentile.h"
#include "tests/bench/prefixed_exporter.h"
#include "tests/bench/scenarios.h"

namespace pping::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kTick = 100ms;           // the slow loris's pace: a byte each
constexpr auto kAttackRamp = 1s;        // from the attack's start to the first scrape
constexpr auto kSettle = 1s;            // after an attack's sockets are closed
constexpr int kNeverReadRcvbuf = 4096;  // SO_RCVBUF of the clients that never read
constexpr std::string_view kScrapeRequest = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
constexpr std::string_view kNeverReadRequest = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n";
// A request head that never ends: one more byte of a header value each tick.
constexpr std::string_view kLorisHead = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
constexpr std::string_view kLastChunk = "\r\n0\r\n\r\n";

enum class Kind { kNone, kIdle, kSlowLoris, kNeverRead };

struct Attack {
  std::string name;
  Kind kind;
  unsigned connections;
};

// A non-blocking TCP socket connecting (or connected) to 127.0.0.1:port;
// -1 if none could be made.
int ConnectNonblocking(int port, int rcvbuf = 0) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

bool ConnectSucceeded(int fd) {
  int error = 0;
  socklen_t length = sizeof(error);
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
}

// The attack's connections, opened at once and kept by a thread of their
// own until it is destroyed; one the exporter closes stays closed.
class Attacker {
 public:
  Attacker(int port, Kind kind, unsigned connections)
      : port_(port), kind_(kind), slots_(connections), thread_([this] { Run(); }) {}
  ~Attacker() {
    stop_ = true;
    thread_.join();
    for (Slot& s : slots_) {
      if (s.fd >= 0) close(s.fd);
    }
  }
  Attacker(const Attacker&) = delete;
  Attacker& operator=(const Attacker&) = delete;

  unsigned open() const { return open_; }
  unsigned closed() const { return closed_; }

 private:
  struct Slot {
    int fd = -1;
    bool connected = false;
    size_t sent = 0;  // bytes of its request sent
  };

  void Open(Slot& s) {
    s = Slot{};
    s.fd = ConnectNonblocking(port_, kind_ == Kind::kNeverRead ? kNeverReadRcvbuf : 0);
    if (s.fd < 0) Lost(s);
  }

  // The exporter closed it or refused it.
  void Lost(Slot& s) {
    if (s.fd >= 0) close(s.fd);
    s.fd = -1;
    s.connected = false;
    ++closed_;
  }

  // Sends what is due: the never-reading client's whole request, or the
  // slow loris's next byte.
  void Send(Slot& s) {
    if (kind_ == Kind::kNeverRead) {
      while (s.sent < kNeverReadRequest.size()) {
        const ssize_t n =
            send(s.fd, kNeverReadRequest.data() + s.sent, kNeverReadRequest.size() - s.sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) return Lost(s);
        s.sent += static_cast<size_t>(n);
      }
    } else if (kind_ == Kind::kSlowLoris) {
      const char byte = s.sent < kLorisHead.size() ? kLorisHead[s.sent] : 'a';
      const ssize_t n = send(s.fd, &byte, 1, MSG_NOSIGNAL);
      if (n == 1) {
        ++s.sent;
      } else if (!(n < 0 && (errno == EAGAIN || errno == EINTR))) {
        Lost(s);
      }
    }
  }

  void Run() {
    for (Slot& s : slots_) Open(s);
    std::vector<pollfd> fds;
    std::vector<size_t> index;
    char scratch[4096];
    Clock::time_point next_tick = Clock::now() + kTick;
    while (!stop_) {
      const auto now = Clock::now();
      if (now >= next_tick) {
        next_tick = now + kTick;
        for (Slot& s : slots_) {
          if (s.fd >= 0 && s.connected && kind_ == Kind::kSlowLoris) Send(s);
        }
      }
      fds.clear();
      index.clear();
      unsigned connected = 0;
      for (size_t i = 0; i < slots_.size(); ++i) {
        const Slot& s = slots_[i];
        if (s.fd < 0) continue;
        short events = POLLRDHUP;
        if (!s.connected) {
          events |= POLLOUT;
        } else {
          ++connected;
          // The never-reading client only watches for its connection's end.
          if (kind_ != Kind::kNeverRead) events |= POLLIN;
          if (kind_ == Kind::kNeverRead && s.sent < kNeverReadRequest.size()) events |= POLLOUT;
        }
        fds.push_back({s.fd, events, 0});
        index.push_back(i);
      }
      open_ = connected;
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now());
      const int ready = poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(wait.count(), 0)) + 1);
      if (ready <= 0) continue;
      for (size_t k = 0; k < fds.size(); ++k) {
        const short revents = fds[k].revents;
        if (revents == 0) continue;
        Slot& s = slots_[index[k]];
        if (!s.connected) {
          if (!ConnectSucceeded(s.fd)) {
            Lost(s);
            continue;
          }
          s.connected = true;
          if (kind_ == Kind::kNeverRead) Send(s);
          continue;
        }
        if (revents & (POLLERR | POLLHUP | POLLRDHUP)) {
          Lost(s);
          continue;
        }
        if ((revents & POLLOUT) && kind_ == Kind::kNeverRead) Send(s);
        if (revents & POLLIN) {  // an idle or slow client answered (an error, say): read to its end
          const ssize_t n = read(s.fd, scratch, sizeof(scratch));
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) Lost(s);
        }
      }
    }
  }

  int port_;
  Kind kind_;
  std::vector<Slot> slots_;
  std::atomic<bool> stop_{false};
  std::atomic<unsigned> open_{0}, closed_{0};
  std::thread thread_;  // last: starts once the rest is made
};

struct ScrapeOutcome {
  bool ok = false, timed_out = false;
  double ms = 0;
  size_t body = 0;
};

// One GET /metrics over HTTP/1.1 (Connection: close), read as it arrives.
struct Scrape {
  int fd = -1;
  Clock::time_point start, deadline;
  size_t sent = 0;
  bool connected = false, head_done = false, chunked = false;
  int status = 0;
  long long content_length = -1;
  std::string head;
  std::string tail;  // the body's last bytes, for a chunked body's end
  ScrapeOutcome outcome;

  void Finish(bool ok) {
    outcome.ok = ok;
    outcome.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    close(fd);
    fd = -1;
  }

  void ParseHead() {
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.starts_with("http/1.")) status = std::atoi(lower.c_str() + 9);
    if (const size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
      content_length = std::atoll(lower.c_str() + at + 17);
    }
    chunked = lower.find("\r\ntransfer-encoding: chunked") != std::string::npos;
  }

  void Body(const char* data, size_t n) {
    outcome.body += n;
    tail.append(data, n);
    if (tail.size() > kLastChunk.size()) tail.erase(0, tail.size() - kLastChunk.size());
    if (content_length >= 0 && outcome.body >= static_cast<size_t>(content_length)) {
      Finish(status == 200 && outcome.body == static_cast<size_t>(content_length));
    } else if (content_length < 0 && chunked && tail == kLastChunk) {
      Finish(status == 200);
    }
  }

  // Reads what arrived; finishes at the body's end or the connection's.
  void Read(std::vector<char>& buffer) {
    for (;;) {
      const ssize_t n = read(fd, buffer.data(), buffer.size());
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      if (n <= 0) {  // closed: whole only if the body runs to the close
        return Finish(head_done && status == 200 && content_length < 0 && !chunked);
      }
      size_t used = 0;
      if (!head_done) {
        const size_t before = head.size();
        head.append(buffer.data(), static_cast<size_t>(n));
        const size_t end = head.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (head.size() > 65536) return Finish(false);
          continue;
        }
        head_done = true;
        used = end + 4 - before;
        head.resize(end + 2);
        ParseHead();
        if (content_length == 0) return Finish(status == 200);
      }
      Body(buffer.data() + used, static_cast<size_t>(n) - used);
      if (fd < 0) return;
    }
  }
};

// `count` scrapes started `interval` apart (from now), each given
// `timeout`; returns once all have ended.
std::vector<ScrapeOutcome> RunScrapes(int port, unsigned count, Clock::duration interval, Clock::duration timeout) {
  std::vector<Scrape> scrapes(count);
  std::vector<char> buffer(size_t{1} << 20);
  const auto t0 = Clock::now();
  unsigned started = 0;
  for (;;) {
    auto now = Clock::now();
    while (started < count && now >= t0 + started * interval) {
      Scrape& s = scrapes[started++];
      s.start = now;
      s.deadline = now + timeout;
      s.fd = ConnectNonblocking(port);
      if (s.fd < 0) s.outcome = {};
    }
    std::vector<pollfd> fds;
    std::vector<Scrape*> of;
    Clock::time_point wake = started < count ? t0 + started * interval : now + 1s;
    for (unsigned i = 0; i < started; ++i) {
      Scrape& s = scrapes[i];
      if (s.fd < 0) continue;
      if (now >= s.deadline) {
        s.outcome.timed_out = true;
        s.Finish(false);
        continue;
      }
      wake = std::min(wake, s.deadline);
      fds.push_back({s.fd, static_cast<short>(s.sent < kScrapeRequest.size() ? POLLOUT : POLLIN), 0});
      of.push_back(&s);
    }
    if (fds.empty() && started == count) break;
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
    if (poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(wait, 0)) + 1) <= 0) continue;
    for (size_t k = 0; k < fds.size(); ++k) {
      Scrape& s = *of[k];
      if (fds[k].revents == 0) continue;
      if (!s.connected) {
        if (!ConnectSucceeded(s.fd)) {
          s.Finish(false);
          continue;
        }
        s.connected = true;
      }
      if (s.sent < kScrapeRequest.size()) {
        const ssize_t n = send(s.fd, kScrapeRequest.data() + s.sent, kScrapeRequest.size() - s.sent, MSG_NOSIGNAL);
        if (n > 0) {
          s.sent += static_cast<size_t>(n);
        } else if (!(n < 0 && (errno == EAGAIN || errno == EINTR))) {
          s.Finish(false);
        }
        continue;
      }
      s.Read(buffer);
    }
  }
  std::vector<ScrapeOutcome> out;
  for (const Scrape& s : scrapes) out.push_back(s.outcome);
  return out;
}

// Descriptors for the attack's sockets: the soft limit raised to the hard
// one (and both to at least `wanted`, as root may). The exporters started
// afterwards inherit it.
void RaiseDescriptorLimit(rlim_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) limit.rlim_max = wanted;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

WebAttackResult MeasureOne(const std::string& binary, bool baseline, const Attack& attack, unsigned prefixes,
                           unsigned scrapes, double timeout_s) {
  WebAttackResult r;
  r.attack = attack.name;
  r.baseline = baseline;
  r.scrapes = scrapes;
  const auto timeout = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kWebScrapeIntervalS));
  try {
    PrefixedExporter p(binary, prefixes, {});
    p.SampleEveryPrefix();
    std::this_thread::sleep_for(2500ms);  // drained into user space
    // Untimed, before the attack: the first scrapes size the exporter's buffers.
    for (int i = 0; i < 2; ++i) RunScrapes(p.port(), 1, interval, timeout);
    std::vector<ScrapeOutcome> outcomes;
    {
      std::unique_ptr<Attacker> attacker;
      if (attack.kind != Kind::kNone) attacker = std::make_unique<Attacker>(p.port(), attack.kind, attack.connections);
      std::this_thread::sleep_for(kAttackRamp);
      outcomes = RunScrapes(p.port(), scrapes, interval, timeout);
      r.rss_mib = MemoryOf(p.process().pid()).rss_mib;
      if (attacker) r.attack_open = attacker->open(), r.attack_closed = attacker->closed();
    }  // every attack socket closed
    std::this_thread::sleep_for(kSettle);
    std::vector<double> ms;
    for (const ScrapeOutcome& o : outcomes) {
      if (o.ok) {
        ms.push_back(o.ms);
        r.body_mib = std::max(r.body_mib, static_cast<double>(o.body) / (1024.0 * 1024.0));
      }
      if (o.timed_out) ++r.timed_out;
    }
    r.succeeded = static_cast<unsigned>(ms.size());
    if (!ms.empty()) r.median_ms = Median(ms), r.max_ms = *std::max_element(ms.begin(), ms.end());
    if (std::getenv("PPING_BENCH_VERBOSE")) {
      for (const ScrapeOutcome& o : outcomes) {
        std::fprintf(stderr, "web %s%s: %s %.1f ms, %zu bytes\n", attack.name.c_str(), baseline ? " (baseline)" : "",
                     o.ok ? "ok" : (o.timed_out ? "timeout" : "FAILED"), o.ms, o.body);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "web: " << attack.name << (baseline ? " (baseline)" : "") << ": " << e.what() << "\n";
    r.attack += " (failed: " + std::string(e.what()) + ")";
  }
  return r;
}

}  // namespace

std::vector<WebAttackResult> MeasureWebAttacks(const std::string& exporter, const std::string& baseline,
                                               unsigned prefixes, unsigned scrapes, double timeout_s) {
  const std::vector<Attack> attacks{
      {"none", Kind::kNone, 0},
      {"2,000 idle connections", Kind::kIdle, 2000},
      {"500 slow-loris senders (1 byte / 100 ms)", Kind::kSlowLoris, 500},
      {"12 clients requesting /metrics, never reading (SO_RCVBUF 4 KiB)", Kind::kNeverRead, 12},
      {"5,000 connections opened and left idle (limit 4096)", Kind::kIdle, 5000},
  };
  RaiseDescriptorLimit(16384);
  std::vector<WebAttackResult> rows;
  for (size_t i = 0; i < attacks.size(); ++i) {
    const auto mine = [&] { return MeasureOne(exporter, false, attacks[i], prefixes, scrapes, timeout_s); };
    const auto theirs = [&] { return MeasureOne(baseline, true, attacks[i], prefixes, scrapes, timeout_s); };
    if (baseline.empty()) {
      rows.push_back(mine());
    } else if (i % 2 == 0) {
      rows.push_back(mine());
      rows.push_back(theirs());
    } else {
      WebAttackResult b = theirs();
      rows.push_back(mine());
      rows.push_back(std::move(b));
    }
  }
  return rows;
}

}  // namespace pping::bench
