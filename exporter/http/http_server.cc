// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "exporter/http/basic_auth.h"
#include "exporter/http/gzip.h"
#include "exporter/http/outgoing.h"
#include "exporter/http/request.h"
#include "exporter/http/tls.h"
#include "exporter/http/web_config.h"
#include "exporter/util/build_info.h"
#include "exporter/util/error.h"
#include "exporter/util/thread_privileges.h"
#include "exporter/util/unique_fd.h"

namespace pping {
namespace {

using Clock = std::chrono::steady_clock;

// A request head larger than this is refused (431): enough for any
// scraper's headers, small enough that a connection's buffer stays small.
constexpr size_t kMaxHeadBytes = 8192;
// Bytes of pieces that connections may hold unsent, at least: beyond
// it (and beyond four times the last body), the client that has gone
// longest without taking a byte is cut off. A client that takes its body
// as it comes holds little; one that does not read holds all of its body.
constexpr size_t kMinPinnedBudget = size_t{64} << 20;
// Buffers the renderer keeps for its next pieces.
constexpr size_t kPooledPieces = 8;
// At the connection limit, a connection whose answer has been stuck in a
// full socket this long may be replaced by a new one.
constexpr auto kStalledReplaceable = std::chrono::seconds(2);
// Connections accepted per wakeup: a flood of them must not hold up the
// rest of the loop (renders, deadlines, the requests of those accepted).
constexpr int kAcceptsPerWakeup = 64;
// How often deadlines are checked.
constexpr auto kSweepInterval = std::chrono::milliseconds(100);
// How often the web config file and the files it names are looked at.
constexpr auto kConfigCheckInterval = std::chrono::seconds(1);
// After a response that closes the connection, how long the client may
// take to close its side before the socket is closed anyway. Closing at
// once, with the client's unread bytes pending, could reset the
// connection and lose the end of the response.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
// Descriptors kept free for everything else the process opens.
constexpr unsigned kReservedFds = 256;
// zlib's fastest level: exposition text is repetitive enough that it
// already shrinks several times over, at a fraction of the default's CPU.
constexpr int kGzipLevel = 1;

// A render under way: the pieces the renderer has added since the loop
// last took them, and whether it is done. It is written once, plain or
// gzip-compressed or both, as its scrapes asked; compressed once, however
// many scrapes take it.
struct RenderJob {
  uint64_t serial = 0;  // renders are numbered from 1
  bool plain = false;   // set before the renderer sees the job
  bool gzip = false;
  std::mutex mu;
  std::vector<Piece> fresh;
  std::vector<Piece> fresh_gzip;
  size_t size = 0;  // of the plain text
  bool complete = false;
};

// Parses [host]:port into `addr`; the reason it cannot, or "". Without a
// host, `addr` is the IPv6 any address, to be bound dual-stack.
std::string ParseListenAddress(const std::string& listen_address, sockaddr_storage& addr, socklen_t& length) {
  const size_t colon = listen_address.rfind(':');
  if (colon == std::string::npos) return "no port: give [host]:port, e.g. :9789";
  std::string host = listen_address.substr(0, colon);
  const std::string port = listen_address.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535) {
    return "invalid port '" + port + "'";
  }
  const auto port_n = htons(static_cast<uint16_t>(std::stoul(port)));
  addr = {};
  if (host.starts_with('[')) {
    if (!host.ends_with(']')) return "host '" + host + "' is not an IPv6 address in brackets";
    host = host.substr(1, host.size() - 2);
    auto& v6 = reinterpret_cast<sockaddr_in6&>(addr);
    v6.sin6_family = AF_INET6;
    v6.sin6_port = port_n;
    if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) != 1) return "host '" + host + "' is not an IPv6 address";
    length = sizeof(v6);
    return "";
  }
  if (host.empty()) {
    auto& v6 = reinterpret_cast<sockaddr_in6&>(addr);
    v6.sin6_family = AF_INET6;
    v6.sin6_port = port_n;
    v6.sin6_addr = in6addr_any;
    length = sizeof(v6);
    return "";
  }
  auto& v4 = reinterpret_cast<sockaddr_in&>(addr);
  v4.sin_family = AF_INET;
  v4.sin_port = port_n;
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) != 1) {
    return "host '" + host + "' is not an IPv4 address";
  }
  length = sizeof(v4);
  return "";
}

// A listening socket on `listen_address`, or the reason there is none.
// With `backlog` 0, binds only: a probe. An address without a host takes
// every address of the host, IPv6 and IPv4 on one socket, as other
// exporters' ":port" does; IPv4 alone where the kernel has no IPv6.
UniqueFd Listen(const std::string& listen_address, int backlog, std::string& problem) {
  sockaddr_storage addr{};
  socklen_t length = 0;
  problem = ParseListenAddress(listen_address, addr, length);
  if (!problem.empty()) return {};
  const bool any_host = listen_address.front() == ':';
  UniqueFd fd(socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd && any_host && errno == EAFNOSUPPORT) {
    const uint16_t port = reinterpret_cast<sockaddr_in6&>(addr).sin6_port;
    addr = {};
    auto& v4 = reinterpret_cast<sockaddr_in&>(addr);
    v4.sin_family = AF_INET;
    v4.sin_port = port;
    length = sizeof(v4);
    fd = UniqueFd(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  }
  const int yes = 1;
  if (!fd || setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) != 0) {
    problem = std::strerror(errno);
    return {};
  }
  // A bracketed address means that address alone, not IPv4 besides.
  const int v6only = any_host ? 0 : 1;
  if (addr.ss_family == AF_INET6) setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), length) != 0) {
    const std::string port = listen_address.substr(listen_address.rfind(':') + 1);
    const std::string host = listen_address.substr(0, listen_address.rfind(':'));
    switch (errno) {
      case EADDRINUSE: problem = "port " + port + " is in use"; break;
      case EADDRNOTAVAIL: problem = host + " is not an address of this host"; break;
      case EACCES: problem = "port " + port + " needs CAP_NET_BIND_SERVICE"; break;
      default: problem = std::strerror(errno);
    }
    return {};
  }
  if (backlog > 0 && listen(fd.get(), backlog) != 0) {
    problem = std::strerror(errno);
    return {};
  }
  return fd;
}

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

std::string HttpDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[40];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

// Raises the soft descriptor limit so that `connections` fit beside the
// rest of the process; returns how many connections do fit.
std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// A client's address without its port: IPv4 as such, IPv6 in full (an
// IPv4-mapped address as its IPv4 form).
std::string PeerAddress(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN] = "";
  if (peer.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(peer);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof(text));
    } else {
      inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text));
    }
  } else if (peer.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, text, sizeof(text));
  }
  return text;
}

// What a listening socket is bound to: "[::]" or "127.0.0.1", and port.
ListenAddress BoundAddress(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  char text[INET6_ADDRSTRLEN] = "";
  if (bound.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(bound);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text));
    return {"[" + std::string(text) + "]", ntohs(v6.sin6_port)};
  }
  const auto& v4 = reinterpret_cast<const sockaddr_in&>(bound);
  inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text));
  return {text, ntohs(v4.sin_port)};
}

unsigned FitConnections(unsigned connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return connections;
  const rlim_t wanted = static_cast<rlim_t>(connections) + kReservedFds;
  if (limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = std::min(wanted, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur >= wanted) return connections;
  const auto fit =
      static_cast<unsigned>(limit.rlim_cur > 2 * kReservedFds ? limit.rlim_cur - kReservedFds : limit.rlim_cur / 2);
  spdlog::warn("web: {} connections would need {} descriptors, the limit is {}: serving at most {}", connections,
               wanted, limit.rlim_cur, fit);
  return fit;
}

}  // namespace

class HttpServer::Impl {
 public:
  explicit Impl(const WebOptions& options) : options_(options) {
    options_.max_connections = FitConnections(std::max(options.max_connections, 1u));
    if (options.listen_addresses.empty()) throw UsageError("no listen address");
    if (!options.config_file.empty()) {
      WebConfig config = LoadWebConfig(options.config_file);
      auto tls = config.tls ? std::make_unique<TlsContext>(config.tls_config) : nullptr;
      web_config_stamps_ = WebConfigStamps(options.config_file, config);
      ApplyWebConfig(std::move(config), std::move(tls));
    }
    for (const std::string& address : options.listen_addresses) {
      std::string problem;
      UniqueFd fd = Listen(address, static_cast<int>(std::min(options_.max_connections, 65535u)), problem);
      if (!fd) throw UsageError("listen on " + address + ": " + problem);
      listens_.push_back(std::move(fd));
    }
    epoll_ = UniqueFd(epoll_create1(EPOLL_CLOEXEC));
    wake_ = UniqueFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    // Kept to be closed when descriptors run out, so that a connection
    // waiting in the backlog can be accepted and closed, not spun on.
    spare_ = UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!epoll_ || !wake_) throw Error(std::string("web: epoll: ") + std::strerror(errno));
    for (const UniqueFd& fd : listens_) {
      Watch(fd.get(), EPOLLIN, EPOLL_CTL_ADD);
      bound_.push_back(BoundAddress(fd.get()));
    }
    Watch(wake_.get(), EPOLLIN, EPOLL_CTL_ADD);
    // The loop reads every byte clients send, so it gives up every
    // capability: a flaw in it cannot be turned against the kernel's BPF
    // state. The renderer sees no client input; it keeps the use of BPF
    // descriptors, to read the maps, and nothing else.
    renderer_ = std::thread([this] {
      if (!RestrictThread("pping-render", BpfUseCapabilities())) {
        spdlog::warn("web: the render thread keeps its capabilities: {}", std::strerror(errno));
      }
      RenderLoop();
    });
    loop_ = std::thread([this] {
      if (!BecomeUnprivilegedThread("pping-http")) {
        spdlog::warn("web: the HTTP thread keeps its capabilities: {}", std::strerror(errno));
      }
      EventLoop();
    });
  }

  ~Impl() { Stop(); }

  void Stop() {
    if (stopping_.exchange(true)) return;
    Wake();
    if (loop_.joinable()) loop_.join();
    auth_.reset();  // its thread wakes the loop through wake_: gone before it
    {
      std::lock_guard lock(render_mu_);
      render_cv_.notify_all();
    }
    if (renderer_.joinable()) renderer_.join();
  }

  void SetReady(bool ready) { ready_ = ready; }
  void AddSource(std::weak_ptr<ExpositionSource> source) {
    std::lock_guard lock(sources_mu_);
    sources_.push_back(std::move(source));
  }
  int port() const { return bound_.front().port; }
  bool tls() const { return tls_enabled_; }
  bool basic_auth() const { return auth_enabled_; }
  void SetLandingDetails(std::vector<std::pair<std::string, std::string>> details) {
    std::lock_guard lock(landing_mu_);
    landing_details_ = std::move(details);
  }
  const std::vector<ListenAddress>& bound() const { return bound_; }
  unsigned max_connections() const { return options_.max_connections; }
  HttpStats stats() const {
    HttpStats out;
    out.open = open_.load(std::memory_order_relaxed);
    out.accepted = accepted_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < std::size(out.closed); ++i) out.closed[i] = closed_[i].load(std::memory_order_relaxed);
    out.renders = renders_.load(std::memory_order_relaxed);
    out.unauthorized = unauthorized_.load(std::memory_order_relaxed);
    out.config_reloads = config_reloads_.load(std::memory_order_relaxed);
    out.config_reload_failures = config_reload_failures_.load(std::memory_order_relaxed);
    return out;
  }

 private:
  enum class State : uint8_t {
    kReading,         // waiting for (the rest of) a request head
    kAuthenticating,  // its credentials are being checked
    kRendering,       // a complete scrape, waiting for its body
    kWriting,         // sending a response
    kLingering,       // response sent, our side shut: waiting for the client's close
  };

  struct Connection {
    uint64_t id = 0;  // unique while the server runs, unlike descriptors
    UniqueFd fd;
    bool tls = false;                     // accepted on a TLS listener
    std::unique_ptr<TlsSession> session;  // once its first byte showed a handshake
    HttpRequest pending;                  // kAuthenticating: the request
    std::string peer;                     // the client's address, without its port
    State state = State::kReading;
    bool served_one = false;  // a request was answered: reading is for the next
    Clock::time_point since;  // when the current state (or the head's first byte) began
    Clock::time_point deadline;
    HttpClose ending = HttpClose::kCompleted;  // why, once the response is out
    std::string in;
    bool keep_alive = false;
    bool gzip = false;  // its exposition goes out compressed
    int minor_version = 0;
    Outgoing out;
    uint64_t render = 0;          // the render whose pieces it sends (0: none)
    bool awaiting_piece = false;  // all there is went out; more to come
    // While its socket is full: since it last took any bytes (else epoch).
    Clock::time_point stalled_since;
    uint32_t events = 0;
  };

  void Watch(int fd, uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    epoll_ctl(epoll_.get(), op, fd, &event);
  }

  void SetEvents(Connection& c, uint32_t events) {
    if (c.events == events) return;
    c.events = events;
    Watch(c.fd.get(), events, EPOLL_CTL_MOD);
  }

  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_.get(), &one, sizeof(one));
  }

  void Count(HttpClose why) { closed_[static_cast<size_t>(why)].fetch_add(1, std::memory_order_relaxed); }

  void EventLoop() {
    std::vector<epoll_event> events(256);
    Clock::time_point last_sweep = Clock::now();
    while (!stopping_) {
      const int n = epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                               static_cast<int>(kSweepInterval.count()));
      for (int i = 0; i < n && !stopping_; ++i) {
        const int fd = events[i].data.fd;
        if (IsListening(fd)) {
          AcceptAll(fd);
        } else if (fd == wake_.get()) {
          uint64_t count;
          [[maybe_unused]] const ssize_t r = read(wake_.get(), &count, sizeof(count));
          OnRenderProgress();
          OnAuthResults();
        } else if (const auto it = connections_.find(fd); it != connections_.end()) {
          OnEvent(*it->second, events[i].events);
        }
        ParsePipelined();
      }
      if (const Clock::time_point now = Clock::now(); now - last_sweep >= kSweepInterval) {
        Sweep(now);
        last_sweep = now;
      }
    }
    connections_.clear();
    open_ = 0;
  }

  bool IsListening(int fd) const {
    return std::any_of(listens_.begin(), listens_.end(), [fd](const UniqueFd& l) { return l.get() == fd; });
  }

  void AcceptAll(int listen_fd) {
    for (int accepted = 0; accepted < kAcceptsPerWakeup; ++accepted) {
      sockaddr_storage peer{};
      socklen_t peer_length = sizeof(peer);
      UniqueFd fd(accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE) {
          // Out of descriptors: take this connection off the backlog and
          // close it, or it would wake us again at once; without a spare
          // descriptor, stop listening until the next sweep.
          if (!spare_) spare_ = UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
          if (spare_) {
            spare_.reset();
            UniqueFd(accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
            spare_ = UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
            Count(HttpClose::kRefusedAtLimit);
            continue;
          }
        }
        if (errno != EAGAIN) PauseListening();
        return;
      }
      accepted_.fetch_add(1, std::memory_order_relaxed);
      if (connections_.size() >= options_.max_connections && !ReplaceOldestWaiting()) {
        Count(HttpClose::kRefusedAtLimit);
        continue;  // closed by fd's destructor
      }
      const int yes = 1;
      setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
      auto c = std::make_unique<Connection>();
      c->id = ++connections_accepted_;
      c->peer = PeerAddress(peer);
      c->tls = tls_ != nullptr;
      c->since = Clock::now();
      c->deadline = c->since + options_.read_header_timeout;
      c->events = EPOLLIN | EPOLLRDHUP;
      Watch(fd.get(), c->events, EPOLL_CTL_ADD);
      c->fd = std::move(fd);
      connections_.emplace(c->fd.get(), std::move(c));
      open_ = connections_.size();
    }
  }

  // At the limit, a new connection takes the place of the one that has
  // waited longest without a complete request (or lingers after its
  // answer): idle and slow clients cannot lock out a scraper, which sends
  // its request at once. Failing that, of the one whose answer has been
  // stuck in a full socket longest, past kStalledReplaceable: clients
  // that stop reading cannot hold every slot either.
  bool ReplaceOldestWaiting() {
    Connection* oldest = nullptr;
    Connection* stalled = nullptr;
    const Clock::time_point now = Clock::now();
    for (auto& [fd, c] : connections_) {
      const bool waiting = c->state == State::kReading || c->state == State::kLingering;
      if (waiting && (!oldest || c->since < oldest->since)) oldest = c.get();
      if (c->state == State::kWriting && c->stalled_since != Clock::time_point{} &&
          now - c->stalled_since >= kStalledReplaceable && (!stalled || c->stalled_since < stalled->stalled_since)) {
        stalled = c.get();
      }
    }
    if (!oldest) oldest = stalled;
    if (!oldest) return false;
    Close(*oldest, HttpClose::kReplacedAtLimit);
    return true;
  }

  // `kCompleted` stands for the reason the connection's own response set.
  void Close(Connection& c, HttpClose why) {
    Count(why == HttpClose::kCompleted ? c.ending : why);
    if (why == HttpClose::kWriteTimeout || why == HttpClose::kSlowReader) {
      // Reset rather than close: what is still queued for a client that
      // does not read would otherwise stay in kernel memory, sent on.
      const linger abort{.l_onoff = 1, .l_linger = 0};
      setsockopt(c.fd.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
    }
    // Removed from epoll before it is closed: closing alone does not remove
    // it while another process holds a copy of the descriptor (a child
    // between fork and exec), and a registration left behind would report
    // the old socket's events under a number a new connection reuses.
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
    connections_.erase(c.fd.get());
    open_ = connections_.size();
  }

  void OnEvent(Connection& c, uint32_t events) {
    switch (c.state) {
      case State::kReading:
        // A TLS handshake may wait for the socket to take its answer.
        if (events & (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) Read(c);
        return;
      case State::kAuthenticating:
      case State::kRendering:
        // Nothing is watched but a hang-up (always reported): the client
        // gave up waiting. A client that only shut its sending side still
        // gets its answer.
        if (events & (EPOLLHUP | EPOLLERR)) Close(c, HttpClose::kCompleted);
        return;
      case State::kWriting:
        if (events & (EPOLLHUP | EPOLLERR)) return Close(c, HttpClose::kCompleted);
        if (events & (EPOLLOUT | EPOLLIN)) Write(c);
        return;
      case State::kLingering: {
        char discard[4096];
        ssize_t n;
        while ((n = recv(c.fd.get(), discard, sizeof(discard), 0)) > 0) {
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) Close(c, HttpClose::kCompleted);
        return;
      }
    }
  }

  // What the connection's client sent: from its socket, or through its
  // TLS session. As recv(2).
  ssize_t Receive(Connection& c, char* buffer, size_t size) {
    return c.session ? c.session->Recv(buffer, size) : recv(c.fd.get(), buffer, size, 0);
  }

  // On a TLS listener, a connection's first byte tells a handshake from a
  // plain HTTP request, which is answered in plain HTTP, as Go's servers
  // do, instead of failing as a bad handshake. False when it is done
  // with (answered or closed) or has sent nothing yet.
  bool StartTls(Connection& c) {
    unsigned char first = 0;
    const ssize_t n = recv(c.fd.get(), &first, 1, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
    if (n <= 0) {
      Close(c, HttpClose::kCompleted);
      return false;
    }
    if (!StartsTlsHandshake(first)) {
      c.tls = false;  // answered in clear, then closed
      c.ending = HttpClose::kTlsError;
      Respond(c, 400, "text/plain; charset=utf-8", "Client sent an HTTP request to an HTTPS server.\n", false, false);
      return false;
    }
    if (!tls_) {
      c.tls = false;  // TLS was turned off since it was accepted
      return true;
    }
    try {
      c.session = std::make_unique<TlsSession>(*tls_, c.fd.get());
    } catch (const Error& e) {
      spdlog::warn("web: {}", e.what());
      Close(c, HttpClose::kTlsError);
      return false;
    }
    return true;
  }

  void Read(Connection& c) {
    if (c.tls && !c.session && !StartTls(c)) return;
    char buffer[4096];
    bool peer_closed = false;
    // A head can only have ended, or its first line, with a line feed: a
    // client sending a byte at a time costs one parse per line, not one
    // per byte.
    bool line_ended = false;
    while (c.in.size() <= kMaxHeadBytes) {
      const ssize_t n = Receive(c, buffer, sizeof(buffer));
      if (n > 0) {
        // The head's clock starts at its first byte on a kept-alive
        // connection, which may idle before it.
        if (c.in.empty() && c.served_one) {
          c.since = Clock::now();
          c.deadline = c.since + options_.read_header_timeout;
        }
        c.in.append(buffer, static_cast<size_t>(n));
        line_ended = line_ended || std::memchr(buffer, '\n', static_cast<size_t>(n)) != nullptr;
        continue;
      }
      if (n == 0) {
        peer_closed = true;
      } else if (errno == EINTR) {
        continue;
      } else if (errno != EAGAIN) {
        if (c.session && c.session->protocol_error()) {
          spdlog::debug("web: TLS connection failed: {}", c.session->failure());
          return Close(c, HttpClose::kTlsError);
        }
        return Close(c, HttpClose::kCompleted);
      }
      break;
    }
    // A handshake waiting to send its answer waits for the socket to take it.
    // Only that: OpenSSL sends what it owes before it reads on, so input
    // already waiting would wake the loop again and again meanwhile.
    if (c.session) SetEvents(c, c.session->wants() == EPOLLOUT ? uint32_t{EPOLLOUT} : uint32_t{EPOLLIN | EPOLLRDHUP});
    const int fd = c.fd.get();
    if (line_ended || c.in.size() > kMaxHeadBytes) Parse(c);
    // A client that closed with no complete request left gets no answer
    // (and must not wake the loop again and again).
    const auto it = connections_.find(fd);
    if (peer_closed && it != connections_.end() && it->second->state == State::kReading) {
      // Requests it sent before closing are answered first.
      Connection& rest = *it->second;
      if (rest.in.empty() || ParseRequest(rest.in, kMaxHeadBytes).status == ParsedRequest::Status::kIncomplete) {
        Close(rest, HttpClose::kCompleted);
      }
    }
  }

  // Acts on a complete head in `c.in`, or waits for more.
  void Parse(Connection& c) {
    const ParsedRequest parsed = ParseRequest(c.in, kMaxHeadBytes);
    if (parsed.status == ParsedRequest::Status::kIncomplete) return;
    if (parsed.status == ParsedRequest::Status::kBad) {
      c.in.clear();
      c.ending = HttpClose::kBadRequest;
      return Respond(c, parsed.error, "text/plain; charset=utf-8", std::string(Reason(parsed.error)) + "\n", false,
                     false);
    }
    c.in.erase(0, parsed.consumed);
    if (auth_) {
      switch (auth_->Check(parsed.request.authorization, c.id, c.peer)) {
        case BasicAuth::Verdict::kAllowed: break;
        case BasicAuth::Verdict::kDenied: return Unauthorized(c, parsed.request);
        case BasicAuth::Verdict::kBusy:
          // Closed after: a client must reconnect to try again, not retry
          // at once on the same connection.
          return Respond(c, 503, "text/plain; charset=utf-8", "Too many credentials to check, try again\n", false,
                         false, "Retry-After: 1\r\n");
        case BasicAuth::Verdict::kPending:
          c.state = State::kAuthenticating;
          c.pending = parsed.request;
          c.deadline = Clock::now() + options_.write_timeout;
          return SetEvents(c, 0);
      }
    }
    Dispatch(c, parsed.request);
  }

  void Unauthorized(Connection& c, const HttpRequest& request) {
    unauthorized_.fetch_add(1, std::memory_order_relaxed);
    Respond(c, 401, "text/plain; charset=utf-8", "Unauthorized\n", request.method == "HEAD", request.keep_alive,
            "WWW-Authenticate: Basic realm=\"pping_exporter\", charset=\"UTF-8\"\r\n");
  }

  // The checks of credentials that finished: their requests are answered.
  void OnAuthResults() {
    if (!auth_) return;
    for (const auto& [id, allowed] : auth_->TakeResults()) {
      Connection* c = nullptr;
      for (auto& [fd, candidate] : connections_) {
        if (candidate->id == id) c = candidate.get();
      }
      if (!c || c->state != State::kAuthenticating) continue;  // gone meanwhile
      const HttpRequest request = std::move(c->pending);
      c->state = State::kReading;
      if (allowed) {
        Dispatch(*c, request);
      } else {
        Unauthorized(*c, request);
      }
    }
  }

  // Answers a request that may be served.
  void Dispatch(Connection& c, const HttpRequest& request) {
    const bool head_only = request.method == "HEAD";
    const bool keep_alive = request.keep_alive;
    if (request.method != "GET" && !head_only) {
      return Respond(c, 405, "text/plain; charset=utf-8", "Method Not Allowed\n", false, keep_alive,
                     "Allow: GET, HEAD\r\n");
    }
    const std::string& path = request.path;
    if (path == options_.telemetry_path) {
      c.gzip = AcceptsGzip(request.accept_encoding);
      if (head_only) {
        StartResponse(c, 200, kExpositionContentType, true, keep_alive, EncodingHeaders(c), false);
        return Write(c);
      }
      c.state = State::kRendering;
      c.keep_alive = keep_alive;
      c.minor_version = request.minor_version;
      c.deadline = Clock::now() + options_.write_timeout;
      SetEvents(c, 0);
      return StartRender();
    }
    if (path == "/") return Respond(c, 200, "text/html; charset=utf-8", LandingPage(), head_only, keep_alive);
    if (path == "/-/healthy") return Respond(c, 200, "text/plain; charset=utf-8", "Healthy\n", head_only, keep_alive);
    if (path == "/-/ready") {
      const bool ready = ready_;
      return Respond(c, ready ? 200 : 503, "text/plain; charset=utf-8", ready ? "Ready\n" : "Not Ready\n", head_only,
                     keep_alive);
    }
    Respond(c, 404, "text/plain; charset=utf-8", "Not Found\n", head_only, keep_alive);
  }

  // The version, links to every endpoint and the settings in force.
  std::string LandingPage() {
    const BuildInfo& b = GetBuildInfo();
    std::string page =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>pping_exporter</title></head><body>"
        "<h1>pping_exporter</h1><p>Passive per-subnet network latency.</p><p>Version " +
        HtmlEscape(b.version) + " (branch " + HtmlEscape(b.branch) + ", revision " + HtmlEscape(b.revision) +
        ", built " + HtmlEscape(b.build_date) + ", " + HtmlEscape(b.compiler) + ", libbpf " + HtmlEscape(b.libbpf) +
        ")</p><ul><li><a href=\"" + HtmlEscape(options_.telemetry_path) +
        "\">Metrics</a></li><li><a href=\"/-/healthy\">Health</a></li>"
        "<li><a href=\"/-/ready\">Readiness</a></li></ul>";
    std::lock_guard lock(landing_mu_);
    if (!landing_details_.empty()) {
      page += "<h2>Settings</h2><table>";
      for (const auto& [key, value] : landing_details_) {
        page += "<tr><td>" + HtmlEscape(key) + "</td><td>" + HtmlEscape(value) + "</td></tr>";
      }
      page += "</table>";
    }
    return page + "</body></html>\n";
  }

  void Respond(Connection& c, int status, std::string_view type, std::string text, bool head_only, bool keep_alive,
               std::string_view extra = "") {
    const std::string length = "Content-Length: " + std::to_string(text.size()) + "\r\n";
    StartResponse(c, status, type, head_only, keep_alive, length + std::string(extra), false);
    if (!head_only) c.out.Add(std::make_shared<const std::string>(std::move(text)));
    c.out.Complete();
    Write(c);
  }

  // The exposition leaves as it is rendered, its length unknown: chunked
  // to HTTP/1.1 clients (a body cut short shows), to the connection's
  // close for HTTP/1.0 ones.
  void StartExposition(Connection& c, uint64_t render) {
    const bool chunked = c.minor_version == 1;
    StartResponse(c, 200, kExpositionContentType, false, c.keep_alive && chunked,
                  EncodingHeaders(c) + (chunked ? "Transfer-Encoding: chunked\r\n" : ""), chunked);
    c.render = render;
    Write(c);
  }

  static std::string EncodingHeaders(const Connection& c) {
    return std::string(c.gzip ? "Content-Encoding: gzip\r\n" : "") + "Vary: Accept-Encoding\r\n";
  }

  void StartResponse(Connection& c, int status, std::string_view type, bool head_only, bool keep_alive,
                     std::string_view extra, bool chunked) {
    // A scrape's deadline has run since its request arrived.
    if (c.state != State::kRendering) c.deadline = Clock::now() + options_.write_timeout;
    c.state = State::kWriting;
    c.keep_alive = keep_alive;
    c.out.Start("HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\nDate: " + HttpDate() +
                    "\r\nContent-Type: " + std::string(type) + "\r\n" + std::string(extra) + extra_headers_ +
                    "Connection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n",
                chunked && !head_only);
    if (head_only) c.out.Complete();
  }

  void Write(Connection& c) {
    c.awaiting_piece = false;
    const uint64_t before = c.out.total_sent();
    const Outgoing::Status status = c.session ? c.out.SendTo(*c.session) : c.out.SendTo(c.fd.get());
    switch (status) {
      case Outgoing::Status::kDone: c.stalled_since = {}; return Finish(c);
      case Outgoing::Status::kAwaiting:
        // The renderer's next piece wakes it (OnRenderProgress).
        c.stalled_since = {};
        c.awaiting_piece = true;
        return SetEvents(c, 0);
      case Outgoing::Status::kBlocked:
        // A client that takes bytes is not stalled, however slowly it
        // takes its whole body.
        if (c.out.total_sent() != before || c.stalled_since == Clock::time_point{}) c.stalled_since = Clock::now();
        return SetEvents(c, c.session && c.session->wants() == EPOLLIN ? uint32_t{EPOLLIN} : uint32_t{EPOLLOUT});
      case Outgoing::Status::kFailed:
        return Close(c, c.session && c.session->protocol_error() ? HttpClose::kTlsError : HttpClose::kCompleted);
    }
  }

  // The whole response is sent: wait for the next request, or close.
  void Finish(Connection& c) {
    c.render = 0;
    c.served_one = true;
    const Clock::time_point now = Clock::now();
    if (!c.keep_alive) {
      // Our side is done; the client's close (or the linger deadline)
      // ends the connection without resetting what it has yet to read.
      if (c.session) c.session->Close();
      shutdown(c.fd.get(), SHUT_WR);
      c.state = State::kLingering;
      c.since = now;
      c.deadline = now + kLingerTimeout;
      return SetEvents(c, EPOLLIN | EPOLLRDHUP);
    }
    c.state = State::kReading;
    c.since = now;
    c.deadline = now + (c.in.empty() ? options_.idle_timeout : options_.read_header_timeout);
    SetEvents(c, EPOLLIN | EPOLLRDHUP);
    // A request sent before this response ended is parsed from the loop,
    // not from here: a long pipeline must not nest calls.
    // Bytes OpenSSL decrypted and holds wake nothing in epoll: read on.
    if (!c.in.empty() || (c.session && c.session->pending())) pipelined_.push_back(c.fd.get());
  }

  void ParsePipelined() {
    while (!pipelined_.empty()) {
      const int fd = pipelined_.back();
      pipelined_.pop_back();
      auto it = connections_.find(fd);
      if (it == connections_.end() || it->second->state != State::kReading) continue;
      if (it->second->session && it->second->session->pending()) {
        Read(*it->second);
        it = connections_.find(fd);
        if (it == connections_.end() || it->second->state != State::kReading) continue;
      }
      Parse(*it->second);
    }
  }

  void PauseListening() {
    if (listening_paused_) return;
    listening_paused_ = true;
    for (const UniqueFd& fd : listens_) Watch(fd.get(), 0, EPOLL_CTL_MOD);
  }

  // What the web config file and the files it names looked like when last
  // read: a change to any (a renewed certificate, a new user) is read at
  // the next check, as the exporter toolkit reads them per connection.
  struct FileStamp {
    std::string path;
    ino_t inode = 0;
    off_t size = -1;
    timespec modified{};
    bool operator==(const FileStamp& o) const {
      return path == o.path && inode == o.inode && size == o.size && modified.tv_sec == o.modified.tv_sec &&
             modified.tv_nsec == o.modified.tv_nsec;
    }
  };

  static FileStamp StampOf(const std::string& path) {
    FileStamp stamp{.path = path};
    struct stat st {};
    if (stat(path.c_str(), &st) == 0) {
      stamp.inode = st.st_ino;
      stamp.size = st.st_size;
      stamp.modified = st.st_mtim;
    }
    return stamp;
  }

  static std::vector<FileStamp> WebConfigStamps(const std::string& file, const WebConfig& config) {
    std::vector<FileStamp> stamps{StampOf(file)};
    if (config.tls) {
      for (const std::string* path :
           {&config.tls_config.cert_file, &config.tls_config.key_file, &config.tls_config.client_ca_file}) {
        if (!path->empty()) stamps.push_back(StampOf(*path));
      }
    }
    return stamps;
  }

  // Puts a web config in force for the connections accepted from now on;
  // those open keep the TLS session they have. A config that would turn
  // TLS or authentication off never gets here once the server runs.
  void ApplyWebConfig(WebConfig config, std::unique_ptr<TlsContext> tls) {
    tls_ = std::move(tls);
    tls_enabled_ = tls_ != nullptr;
    auth_enabled_ = !config.basic_auth_users.empty();
    extra_headers_.clear();
    for (const auto& [name, value] : config.headers) extra_headers_ += name + ": " + value + "\r\n";
    if (config.basic_auth_users.empty()) return;
    if (auth_) return auth_->SetUsers(std::move(config.basic_auth_users));
    auth_ = std::make_unique<BasicAuth>(std::move(config.basic_auth_users), [this] { Wake(); });
  }

  // Reads the web config again if it or a file it names changed. One that
  // cannot be used is logged, once per change, and the one in force kept.
  void ReloadWebConfigIfChanged() {
    std::vector<FileStamp> now;
    for (const FileStamp& old : web_config_stamps_) now.push_back(StampOf(old.path));
    if (now == web_config_stamps_) return;
    web_config_stamps_ = now;  // a failure is reported once, not every check
    try {
      WebConfig config = LoadWebConfig(options_.config_file);
      // Stamped before the files are read: a change made while they are
      // is seen at the next check. The files the new config names are
      // watched even if they cannot be used yet.
      web_config_stamps_ = WebConfigStamps(options_.config_file, config);
      // Protection is never dropped by an edit, which may be a file caught
      // half written (or emptied) as much as a decision: that takes a
      // restart.
      if (tls_ && !config.tls) throw UsageError(options_.config_file + " no longer has tls_server_config");
      if (auth_ && config.basic_auth_users.empty()) {
        throw UsageError(options_.config_file + " no longer has basic_auth_users");
      }
      auto tls = config.tls ? std::make_unique<TlsContext>(config.tls_config) : nullptr;
      ApplyWebConfig(std::move(config), std::move(tls));
      config_reloads_.fetch_add(1, std::memory_order_relaxed);
      spdlog::info("web: read {} again: TLS {}, basic auth {}", options_.config_file, tls_ ? "on" : "off",
                   auth_ ? "on" : "off");
    } catch (const Error& e) {
      config_reload_failures_.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("web: keeping the web config in force (turning TLS or basic auth off takes a restart): {}",
                   e.what());
    }
  }

  void Sweep(Clock::time_point now) {
    if (!options_.config_file.empty() && now - last_config_check_ >= kConfigCheckInterval) {
      last_config_check_ = now;
      ReloadWebConfigIfChanged();
    }
    if (listening_paused_) {
      listening_paused_ = false;
      for (const UniqueFd& fd : listens_) Watch(fd.get(), EPOLLIN, EPOLL_CTL_MOD);
    }
    std::vector<std::pair<Connection*, HttpClose>> expired;
    for (auto& [fd, c] : connections_) {
      if (now < c->deadline) continue;
      HttpClose why = HttpClose::kWriteTimeout;
      if (c->state == State::kReading) {
        why = c->served_one && c->in.empty() ? HttpClose::kIdleTimeout : HttpClose::kHeaderTimeout;
      } else if (c->state == State::kLingering) {
        why = HttpClose::kCompleted;
      }
      expired.emplace_back(c.get(), why);
    }
    for (auto& [c, why] : expired) Close(*c, why);
  }

  // Starts a render for the scrapes now waiting, unless one is under way:
  // each gets its head at once and the pieces as they come. Scrapes that
  // arrive during a render wait for the next, so that none gets data
  // older than its request.
  void StartRender() {
    if (rendering_) return;
    rendering_ = std::make_shared<RenderJob>();
    rendering_->serial = ++renders_started_;
    std::vector<Connection*> waiting;
    for (auto& [fd, c] : connections_) {
      if (c->state != State::kRendering) continue;
      waiting.push_back(c.get());
      (c->gzip ? rendering_->gzip : rendering_->plain) = true;
    }
    {
      std::lock_guard lock(render_mu_);
      render_job_ = rendering_;
      render_cv_.notify_one();
    }
    for (Connection* c : waiting) StartExposition(*c, rendering_->serial);
  }

  // The renderer added pieces or finished: they go to every scrape of the
  // render, which send on; once it is done, the scrapes that arrived
  // meanwhile get a render of their own.
  void OnRenderProgress() {
    if (!rendering_) return;
    std::vector<Piece> fresh;
    std::vector<Piece> fresh_gzip;
    bool complete;
    {
      std::lock_guard lock(rendering_->mu);
      fresh.swap(rendering_->fresh);
      fresh_gzip.swap(rendering_->fresh_gzip);
      complete = rendering_->complete;
      if (complete) last_body_bytes_ = rendering_->size;
    }
    std::vector<Connection*> holders;
    for (auto& [fd, c] : connections_) {
      if (c->state == State::kWriting && c->render == rendering_->serial) holders.push_back(c.get());
    }
    for (Connection* c : holders) {
      for (const Piece& piece : c->gzip ? fresh_gzip : fresh) c->out.Add(piece);
      if (complete) c->out.Complete();
      if (c->awaiting_piece) Write(*c);
    }
    fresh.clear();
    fresh_gzip.clear();
    BoundPinnedMemory();
    if (!complete) return;
    rendering_.reset();
    for (auto& [fd, c] : connections_) {
      if (c->state == State::kRendering) return StartRender();
    }
  }

  // Clients that do not take their bodies hold them: beyond the budget,
  // the one blocked longest among those that hold the most of a render is
  // cut off, until the rest fit. The scrapes of one render share its
  // pieces, each holding what it has not sent yet, so a render holds what
  // its furthest-behind scrape holds. A client that reads as it is sent to
  // is never blocked for long, and holds little.
  void BoundPinnedMemory() {
    const size_t budget = std::max(kMinPinnedBudget, 4 * last_body_bytes_);
    for (;;) {
      std::unordered_map<uint64_t, Connection*> furthest;  // by render
      size_t held = 0;
      for (auto& [fd, c] : connections_) {
        if (c->render == 0 || c->out.pinned() == 0) continue;
        Connection*& f = furthest[c->render];
        if (!f || c->out.pinned() > f->out.pinned()) f = c.get();
      }
      Connection* victim = nullptr;
      for (const auto& [render, c] : furthest) {
        held += c->out.pinned();
        if (c->stalled_since == Clock::time_point{}) continue;
        if (!victim || c->stalled_since < victim->stalled_since) victim = c;
      }
      // Nothing blocked: what is held is on its way out.
      if (held <= budget || !victim) return;
      Close(*victim, HttpClose::kSlowReader);
    }
  }

  void RenderLoop() {
    for (;;) {
      std::shared_ptr<RenderJob> job;
      {
        std::unique_lock lock(render_mu_);
        render_cv_.wait(lock, [this] { return render_job_ || stopping_; });
        if (stopping_) return;
        job = std::move(render_job_);
      }
      std::vector<std::weak_ptr<ExpositionSource>> sources;
      {
        std::lock_guard lock(sources_mu_);
        sources = sources_;
      }
      // The text leaves the buffer in pieces of about a megabyte, each on
      // its way (and compressed) while the next is written.
      std::optional<GzipWriter> gzip;
      if (job->gzip) gzip.emplace(kGzipLevel);
      const auto add = [this, &job, &gzip](std::string_view piece, bool last) {
        Piece plain = job->plain && !piece.empty() ? pool_->Make(piece) : nullptr;
        Piece compressed;
        if (gzip) {
          try {
            gzip_out_.clear();
            gzip->Write(piece, gzip_out_);
            if (last) gzip->Finish(gzip_out_);
            if (!gzip_out_.empty()) compressed = pool_->Make(gzip_out_);
          } catch (const std::exception& e) {
            // The compressed body ends short, which its clients see.
            spdlog::error("web: {}", e.what());
            gzip.reset();
          }
        }
        if (last) renders_.fetch_add(1, std::memory_order_relaxed);
        {
          std::lock_guard lock(job->mu);
          if (plain) job->fresh.push_back(std::move(plain));
          if (compressed) job->fresh_gzip.push_back(std::move(compressed));
          job->size += piece.size();
          job->complete = last;
        }
        Wake();
        return true;
      };
      ExpositionStream out(text_, [&add](std::string_view piece) { return add(piece, false); });
      RenderExposition(sources, out);
      out.Flush();
      add({}, true);
    }
  }

  WebOptions options_;
  std::vector<UniqueFd> listens_;
  std::vector<ListenAddress> bound_;  // of each of listens_
  std::unique_ptr<TlsContext> tls_;   // TLS on every listener, if set
  std::atomic<bool> tls_enabled_{false};
  std::atomic<bool> auth_enabled_{false};
  std::mutex landing_mu_;
  std::vector<std::pair<std::string, std::string>> landing_details_;
  std::unique_ptr<BasicAuth> auth_;  // credentials required, if set
  std::string extra_headers_;        // the web config's, on every response
  std::vector<FileStamp> web_config_stamps_;
  Clock::time_point last_config_check_;
  UniqueFd epoll_;
  UniqueFd wake_;
  UniqueFd spare_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};

  // The event loop's own.
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::vector<int> pipelined_;  // kept-alive connections with a request already in
  uint64_t connections_accepted_ = 0;
  bool listening_paused_ = false;
  std::shared_ptr<RenderJob> rendering_;
  uint64_t renders_started_ = 0;
  size_t last_body_bytes_ = 0;

  std::mutex sources_mu_;
  std::vector<std::weak_ptr<ExpositionSource>> sources_;

  std::mutex render_mu_;
  std::condition_variable render_cv_;
  std::shared_ptr<RenderJob> render_job_;
  std::shared_ptr<PiecePool> pool_ = PiecePool::Create(kPooledPieces);
  TextBuffer text_;       // the renderer's
  std::string gzip_out_;  // the renderer's

  std::atomic<uint64_t> open_{0};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> closed_[static_cast<size_t>(HttpClose::kCount)] = {};
  std::atomic<uint64_t> renders_{0};
  std::atomic<uint64_t> unauthorized_{0};
  std::atomic<uint64_t> config_reloads_{0};
  std::atomic<uint64_t> config_reload_failures_{0};

  std::thread renderer_;
  std::thread loop_;
};

const char* HttpCloseName(HttpClose why) {
  switch (why) {
    case HttpClose::kCompleted: return "completed";
    case HttpClose::kHeaderTimeout: return "header_timeout";
    case HttpClose::kIdleTimeout: return "idle_timeout";
    case HttpClose::kWriteTimeout: return "write_timeout";
    case HttpClose::kReplacedAtLimit: return "replaced_at_limit";
    case HttpClose::kRefusedAtLimit: return "refused_at_limit";
    case HttpClose::kBadRequest: return "bad_request";
    case HttpClose::kSlowReader: return "slow_reader";
    case HttpClose::kTlsError: return "tls_error";
    case HttpClose::kCount: break;
  }
  return "unknown";
}

std::string ListenAddressProblem(const std::string& listen_address) {
  std::string problem;
  Listen(listen_address, 0, problem);
  return problem;
}

void CheckWebConfigFile(const std::string& path) {
  const WebConfig config = LoadWebConfig(path);
  if (config.tls) TlsContext context(config.tls_config);
}

HttpServer::HttpServer(const WebOptions& options) : impl_(std::make_unique<Impl>(options)) {}

HttpServer::HttpServer(const std::string& listen_address, const std::string& telemetry_path)
    : HttpServer(WebOptions{.listen_addresses = {listen_address}, .telemetry_path = telemetry_path}) {}

HttpServer::~HttpServer() = default;

void HttpServer::Stop() { impl_->Stop(); }
void HttpServer::SetReady(bool ready) { impl_->SetReady(ready); }
void HttpServer::AddSource(std::weak_ptr<ExpositionSource> source) { impl_->AddSource(std::move(source)); }
int HttpServer::port() const { return impl_->port(); }
bool HttpServer::tls() const { return impl_->tls(); }
bool HttpServer::basic_auth() const { return impl_->basic_auth(); }
void HttpServer::SetLandingDetails(std::vector<std::pair<std::string, std::string>> details) {
  impl_->SetLandingDetails(std::move(details));
}
std::vector<ListenAddress> HttpServer::bound() const { return impl_->bound(); }
unsigned HttpServer::max_connections() const { return impl_->max_connections(); }
HttpStats HttpServer::stats() const { return impl_->stats(); }

}  // namespace pping
