// SPDX-License-Identifier: Apache-2.0
#include "tests/lab/traffic.h"

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <resolv.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <spdlog/spdlog.h>

#include <memory>

#include "exporter/util/error.h"
#include "exporter/util/netns.h"
#include "exporter/util/unique_fd.h"
#include "tests/lab/dns_server.h"

namespace pping {
namespace {

constexpr size_t kMessageSize = 100;
constexpr int kPollMs = 100;  // bounds how long a stop request waits

using Socket = UniqueFd;

sockaddr_storage MakeAddress(const std::string& text, uint16_t port, socklen_t& len) {
  sockaddr_storage ss{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(*v6);
  } else {
    throw Error("lab traffic: bad address " + text);
  }
  return ss;
}

bool WaitReadable(int fd) {
  pollfd pfd{fd, POLLIN, 0};
  return poll(&pfd, 1, kPollMs) > 0;
}

// Accepts clients and echoes (or discards) what they send, in one poll loop.
void Server(std::stop_token stop, Socket listener, bool echo) {
  std::vector<Socket> clients;
  std::array<char, 4096> buffer{};
  while (!stop.stop_requested()) {
    std::vector<pollfd> fds{{listener.get(), POLLIN, 0}};
    for (const auto& c : clients) fds.push_back({c.get(), POLLIN, 0});
    if (poll(fds.data(), fds.size(), kPollMs) <= 0) continue;
    // Clients that closed or failed are dropped (a link that went away
    // leaves its connections dead), so the list holds live ones only.
    std::vector<bool> gone(clients.size(), false);
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = recv(fds[i].fd, buffer.data(), buffer.size(), 0);
      if (n > 0 && echo) (void)!send(fds[i].fd, buffer.data(), n, MSG_NOSIGNAL);
      gone[i - 1] = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
    }
    for (size_t i = clients.size(); i-- > 0;) {
      if (gone[i]) clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (fds[0].revents & POLLIN) {
      Socket client(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (client) clients.push_back(std::move(client));
    }
  }
}

Socket Listen(uint16_t port) {
  Socket s(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int off = 0, on = 1;
  setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));  // IPv4 too
  setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_port = htons(port);
  if (bind(s.get(), reinterpret_cast<sockaddr*>(&any), sizeof(any)) != 0 || listen(s.get(), 16) != 0) {
    throw Error(ErrnoMessage("lab traffic: listen on port " + std::to_string(port), errno));
  }
  return s;
}

// A TCP connection with Nagle off (every write is a segment); an invalid
// socket (get() < 0) if the connection failed.
Socket ConnectTcp(const std::string& address, uint16_t port) {
  socklen_t len = 0;
  const sockaddr_storage server = MakeAddress(address, port, len);
  Socket s(socket(server.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int on = 1;
  setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  if (connect(s.get(), reinterpret_cast<const sockaddr*>(&server), len) != 0) return Socket(-1);
  return s;
}

// Sends a request, waits for the echo, pauses; reconnects when needed.
void TcpClient(std::stop_token stop, std::string netns, std::string address, uint16_t port,
               std::chrono::milliseconds interval) {
  NetnsScope scope(netns);
  std::array<char, kMessageSize> message{};
  while (!stop.stop_requested()) {
    Socket s = ConnectTcp(address, port);
    if (s.get() < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    while (!stop.stop_requested()) {
      if (send(s.get(), message.data(), message.size(), MSG_NOSIGNAL) <= 0) break;
      size_t got = 0;
      while (got < message.size() && !stop.stop_requested()) {
        if (!WaitReadable(s.get())) continue;
        const ssize_t n = recv(s.get(), message.data(), message.size() - got, 0);
        if (n <= 0) break;
        got += n;
      }
      std::this_thread::sleep_for(interval);
    }
  }
}

// One request and its reply per connection, then a close: an orderly one
// (FIN) and an abortive one (RST, by SO_LINGER with no time) in turn.
void ShortConnections(std::stop_token stop, std::string netns, std::string address, uint16_t port,
                      std::chrono::milliseconds interval) {
  NetnsScope scope(netns);
  std::array<char, kMessageSize> message{};
  for (bool abort = false; !stop.stop_requested(); abort = !abort) {
    Socket s = ConnectTcp(address, port);
    if (s.get() >= 0 && send(s.get(), message.data(), message.size(), MSG_NOSIGNAL) > 0) {
      for (size_t got = 0; got < message.size() && WaitReadable(s.get());) {
        const ssize_t n = recv(s.get(), message.data(), message.size() - got, 0);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      if (abort) {
        const linger now{1, 0};
        setsockopt(s.get(), SOL_SOCKET, SO_LINGER, &now, sizeof(now));
      }
    }
    s.reset();
    std::this_thread::sleep_for(interval);
  }
}

// Writes one full-sized segment every `interval`, never reading: the
// receiver's (delayed) ACKs are the only traffic back.
void PacedBulk(std::stop_token stop, std::string netns, std::string address, uint16_t port,
               std::chrono::microseconds interval) {
  NetnsScope scope(netns);
  Socket s = ConnectTcp(address, port);
  if (s.get() < 0) throw Error(ErrnoMessage("lab traffic: connect to " + address, errno));
  int mss = 0;
  socklen_t mss_len = sizeof(mss);
  getsockopt(s.get(), IPPROTO_TCP, TCP_MAXSEG, &mss, &mss_len);
  const std::vector<char> segment(mss > 0 ? mss : 1000, 'x');
  auto next = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    if (send(s.get(), segment.data(), segment.size(), MSG_NOSIGNAL) <= 0) break;
    next += interval;
    std::this_thread::sleep_until(next);
  }
}

uint16_t InternetChecksum(const uint8_t* data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (len % 2) sum += data[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

// Sends echo requests to every address on raw sockets; the kernel on the
// other side answers. Replies are read and dropped to keep queues empty.
void Pinger(std::stop_token stop, std::string netns, std::vector<std::string> addresses,
            std::chrono::milliseconds interval) {
  NetnsScope scope(netns);
  std::vector<std::pair<Socket, std::pair<sockaddr_storage, socklen_t>>> targets;
  for (const auto& a : addresses) {
    socklen_t len = 0;
    const sockaddr_storage to = MakeAddress(a, 0, len);
    const bool v6 = to.ss_family == AF_INET6;
    Socket s(
        socket(to.ss_family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, v6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP}));
    if (s.get() < 0) throw Error(ErrnoMessage("lab traffic: raw ICMP socket", errno));
    targets.emplace_back(std::move(s), std::make_pair(to, len));
  }
  std::array<uint8_t, 64> packet{};
  std::array<uint8_t, 2048> sink{};
  const uint16_t id = htons(static_cast<uint16_t>(getpid()));
  for (uint16_t seq = 1; !stop.stop_requested(); ++seq) {
    for (auto& [sock, to] : targets) {
      const bool v6 = to.first.ss_family == AF_INET6;
      packet.fill(0);
      packet[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
      std::memcpy(&packet[4], &id, 2);
      const uint16_t net_seq = htons(seq);
      std::memcpy(&packet[6], &net_seq, 2);
      if (!v6) {  // the kernel fills in ICMPv6 checksums itself
        const uint16_t sum = InternetChecksum(packet.data(), packet.size());
        std::memcpy(&packet[2], &sum, 2);
      }
      sendto(sock.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to.first), to.second);
      while (recv(sock.get(), sink.data(), sink.size(), MSG_DONTWAIT) > 0) {
      }
    }
    std::this_thread::sleep_for(interval);
  }
}

// One DNS query and its response, over UDP or TCP on a socket of its own.
void DnsExchange(const sockaddr_storage& server, socklen_t len, bool tcp, const char* name) {
  std::array<uint8_t, 512> query{}, response{};
  const int size = res_mkquery(ns_o_query, name, ns_c_in, ns_t_a, nullptr, 0, nullptr, query.data(), query.size());
  if (size <= 0) throw Error("lab traffic: res_mkquery failed");
  Socket s(socket(server.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
  if (connect(s.get(), reinterpret_cast<const sockaddr*>(&server), len) != 0) return;
  if (tcp) {
    std::array<uint8_t, 514> framed{};
    framed[0] = static_cast<uint8_t>(size >> 8);
    framed[1] = static_cast<uint8_t>(size & 0xff);
    std::memcpy(&framed[2], query.data(), static_cast<size_t>(size));
    if (send(s.get(), framed.data(), static_cast<size_t>(size) + 2, MSG_NOSIGNAL) <= 0) return;
  } else if (send(s.get(), query.data(), static_cast<size_t>(size), 0) <= 0) {
    return;
  }
  for (int waited = 0; waited < 10 && !WaitReadable(s.get()); ++waited) {
  }
  (void)!recv(s.get(), response.data(), response.size(), MSG_DONTWAIT);
}

// Queries the server in turn over UDP and TCP until stopped.
void DnsClient(std::stop_token stop, std::string netns, std::string address, std::chrono::milliseconds interval) {
  NetnsScope scope(netns);
  socklen_t len = 0;
  const sockaddr_storage server = MakeAddress(address, 53, len);
  for (unsigned i = 0; !stop.stop_requested(); ++i) {
    DnsExchange(server, len, i % 2 == 1, i % 3 == 2 ? DnsServer::kMissingName : DnsServer::kName);
    std::this_thread::sleep_for(interval);
  }
}

// Runs one traffic loop on its own thread; a failure ends that loop with a
// log line instead of taking the process down.
template <typename Loop>
std::jthread Spawn(std::string what, Loop loop) {
  return std::jthread([what = std::move(what), loop = std::move(loop)](std::stop_token stop) mutable {
    try {
      loop(stop);
    } catch (const std::exception& e) {
      spdlog::error("lab traffic ({}) stopped: {}", what, e.what());
    }
  });
}

}  // namespace

void Traffic::StartServer(const std::string& netns, uint16_t port, bool echo) {
  auto listener = std::make_shared<Socket>([&] {
    NetnsScope scope(netns);
    return Listen(port);
  }());
  threads_.push_back(Spawn(echo ? "echo server" : "discard server",
                           [listener, echo](std::stop_token stop) { Server(stop, std::move(*listener), echo); }));
}

Traffic::Traffic(const TrafficOptions& o) {
  if (o.mix.request_response || o.mix.short_connections) StartServer(o.server_netns, o.echo_port, true);
  if (o.mix.paced_bulk) StartServer(o.server_netns, o.discard_port, false);
  if (o.mix.dns) dns_server_ = std::make_unique<DnsServer>(o.server_netns, o.server_addresses);
  for (const auto& address : o.server_addresses) {
    if (o.mix.request_response) {
      threads_.push_back(Spawn("tcp client " + address, [o, address](std::stop_token stop) {
        TcpClient(stop, o.client_netns, address, o.echo_port, o.tcp_interval);
      }));
    }
    if (o.mix.short_connections) {
      threads_.push_back(Spawn("short connections " + address, [o, address](std::stop_token stop) {
        ShortConnections(stop, o.client_netns, address, o.echo_port, o.tcp_interval);
      }));
    }
    if (o.mix.dns) {
      threads_.push_back(Spawn("dns client " + address, [o, address](std::stop_token stop) {
        DnsClient(stop, o.client_netns, address, o.dns_interval);
      }));
    }
    if (o.mix.paced_bulk) {
      threads_.push_back(Spawn("bulk sender " + address, [o, address](std::stop_token stop) {
        PacedBulk(stop, o.client_netns, address, o.discard_port, o.bulk_interval);
      }));
    }
  }
  if (o.mix.ping) {
    threads_.push_back(Spawn(
        "pinger", [o](std::stop_token stop) { Pinger(stop, o.client_netns, o.server_addresses, o.ping_interval); }));
  }
}

Traffic::~Traffic() {
  for (auto& t : threads_) t.request_stop();
  threads_.clear();  // joined: the clients end before their server
}

}  // namespace pping
