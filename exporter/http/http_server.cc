// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/http_server.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string_view>

#include "exporter/util/error.h"
#include "exporter/util/unique_fd.h"

namespace pping {
namespace {

// Whether the request names exactly `path`: civetweb matches handlers
// without regard to case, so /METRICS would reach /metrics. Answers 404
// for any other path.
bool ExactPathOr404(mg_connection* conn, const std::string& path) {
  const char* uri = mg_get_request_info(conn)->local_uri;
  if (uri != nullptr && path == uri) return true;
  static constexpr std::string_view kBody = "Not Found\n";
  mg_printf(conn,
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n",
            kBody.size());
  mg_write(conn, kBody.data(), kBody.size());
  return false;
}

}  // namespace

class HttpServer::MetricsHandler : public CivetHandler {
 public:
  explicit MetricsHandler(std::string path) : path_(std::move(path)) {}

  void Add(std::weak_ptr<ExpositionSource> source) {
    std::lock_guard lock(mu_);
    sources_.push_back(std::move(source));
  }

  // The headers a scrape would get, without rendering anything.
  bool handleHead(CivetServer*, mg_connection* conn) override {
    if (!ExactPathOr404(conn, path_)) return true;
    mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nConnection: close\r\n\r\n", kExpositionContentType);
    return true;
  }

  bool handleGet(CivetServer*, mg_connection* conn) override {
    if (!ExactPathOr404(conn, path_)) return true;
    std::vector<std::weak_ptr<ExpositionSource>> sources;
    {
      std::lock_guard lock(mu_);
      sources = sources_;
    }
    // Scrapes take turns on one text buffer that keeps its pages. The body
    // leaves in pieces while the rest is written (ExpositionStream): its
    // length is not known up front, so HTTP/1.1 clients (Prometheus) get
    // it chunked, where a body cut short shows; HTTP/1.0 ones read it to
    // the connection's close.
    std::lock_guard scrape(scrape_mu_);
    const char* version = mg_get_request_info(conn)->http_version;
    const bool chunked = version != nullptr && std::string_view(version) == "1.1";
    mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n%sConnection: close\r\n\r\n", kExpositionContentType,
              chunked ? "Transfer-Encoding: chunked\r\n" : "");
    ExpositionStream out(body_, [conn, chunked](std::string_view piece) {
      const auto size = static_cast<unsigned>(piece.size());
      return (chunked ? mg_send_chunk(conn, piece.data(), size) : mg_write(conn, piece.data(), size)) > 0;
    });
    RenderExposition(sources, out);
    out.Flush();
    if (out.client_gone()) {
      spdlog::debug("scrape: the client went away; {} bytes written were not sent", out.unsent_bytes());
    } else if (chunked) {
      mg_send_chunk(conn, "", 0);  // the last, empty chunk
    }
    return true;
  }

 private:
  std::string path_;
  std::mutex mu_;
  std::mutex scrape_mu_;
  TextBuffer body_;
  std::vector<std::weak_ptr<ExpositionSource>> sources_;
};

class HttpServer::LandingHandler : public CivetHandler {
 public:
  explicit LandingHandler(std::string telemetry_path) : path_(std::move(telemetry_path)) {}

  bool handleGet(CivetServer*, mg_connection* conn) override { return Answer(conn, true); }
  bool handleHead(CivetServer*, mg_connection* conn) override { return Answer(conn, false); }

 private:
  bool Answer(mg_connection* conn, bool with_body) {
    if (!ExactPathOr404(conn, "/")) return true;
    const std::string body =
        "<html><head><title>pping_exporter</title></head><body><h1>pping_exporter</h1>"
        "<p>Passive per-subnet network latency.</p><ul><li><a href=\"" +
        path_ +
        "\">Metrics</a></li><li><a href=\"/-/healthy\">Health</a></li>"
        "<li><a href=\"/-/ready\">Readiness</a></li></ul></body></html>\n";
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n",
              body.size());
    if (with_body) mg_write(conn, body.data(), body.size());
    return true;
  }

  std::string path_;
};

// A plain-text health endpoint: 200 while `ok` holds, else 503.
class HttpServer::StatusHandler : public CivetHandler {
 public:
  StatusHandler(std::string path, std::string ok_text, bool initially_ok)
      : path_(std::move(path)), ok_text_(std::move(ok_text)), ok_(initially_ok) {}
  void Set(bool ok) { ok_ = ok; }

  bool handleGet(CivetServer*, mg_connection* conn) override { return Answer(conn, true); }
  bool handleHead(CivetServer*, mg_connection* conn) override { return Answer(conn, false); }

 private:
  bool Answer(mg_connection* conn, bool with_body) {
    if (!ExactPathOr404(conn, path_)) return true;
    const bool ok = ok_.load();
    const std::string body = ok ? ok_text_ + "\n" : "Not " + ok_text_ + "\n";
    mg_printf(conn,
              "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n",
              ok ? "200 OK" : "503 Service Unavailable", body.size());
    if (with_body) mg_write(conn, body.data(), body.size());
    return true;
  }

  std::string path_;
  std::string ok_text_;
  std::atomic<bool> ok_;
};

std::string ListenAddressProblem(const std::string& listen_address) {
  const size_t colon = listen_address.rfind(':');
  if (colon == std::string::npos) return "no port: give [host]:port, e.g. :9789";
  const std::string host = listen_address.substr(0, colon), port = listen_address.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535) {
    return "invalid port '" + port + "'";
  }
  if (host.starts_with('[')) return "";  // IPv6: civetweb's own check follows
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoul(port)));
  if (!host.empty() && inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return "host '" + host + "' is not an IPv4 address";
  }
  // Binding first names the reason, which civetweb's error does not.
  const UniqueFd probe(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int yes = 1;
  if (!probe || setsockopt(probe.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes)) != 0) return "";
  if (bind(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) return "";
  switch (errno) {
    case EADDRINUSE: return "port " + port + " is in use";
    case EADDRNOTAVAIL: return host + " is not an address of this host";
    case EACCES: return "port " + port + " needs CAP_NET_BIND_SERVICE";
    default: return std::strerror(errno);
  }
}

std::string CivetListeningPort(const std::string& listen_address) {
  if (!listen_address.empty() && listen_address.front() == ':') return listen_address.substr(1);
  return listen_address;
}

HttpServer::HttpServer(const std::string& listen_address, const std::string& telemetry_path)
    : metrics_(std::make_unique<MetricsHandler>(telemetry_path)),
      landing_(std::make_unique<LandingHandler>(telemetry_path)),
      healthy_(std::make_unique<StatusHandler>("/-/healthy", "Healthy", true)),
      ready_(std::make_unique<StatusHandler>("/-/ready", "Ready", false)) {
  constexpr unsigned kCivetIpv6Feature = 8;
  if (const std::string problem = ListenAddressProblem(listen_address); !problem.empty()) {
    throw UsageError("listen on " + listen_address + ": " + problem);
  }
  if (listen_address.starts_with('[') && !mg_check_feature(kCivetIpv6Feature)) {
    throw UsageError("listen on " + listen_address +
                     ": this civetweb build has no IPv6 support; use an IPv4 address or :PORT");
  }
  // tcp_nodelay: a chunk's small framing writes must not wait for the
  // client's (possibly delayed) ACK of the data before them.
  const std::vector<std::string> options = {
      "listening_ports", CivetListeningPort(listen_address), "num_threads", "4", "tcp_nodelay", "1"};
  try {
    server_ = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    throw UsageError("listen on " + listen_address + ": " + e.what() + " (address in use or invalid?)");
  }
  // Exact paths ('$'); the config allows no pattern characters in them.
  server_->addHandler(telemetry_path + "$", metrics_.get());
  server_->addHandler("/$", landing_.get());
  server_->addHandler("/-/healthy$", healthy_.get());
  server_->addHandler("/-/ready$", ready_.get());
}

void HttpServer::SetReady(bool ready) { ready_->Set(ready); }

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (server_) server_->close();
}

void HttpServer::AddSource(std::weak_ptr<ExpositionSource> source) { metrics_->Add(std::move(source)); }

int HttpServer::port() const {
  mg_server_port ports[4] = {};
  const int n = mg_get_server_ports(server_->getContext(), 4, ports);
  return n > 0 ? ports[0].port : -1;
}

}  // namespace pping
