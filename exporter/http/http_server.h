// SPDX-License-Identifier: Apache-2.0
// The HTTP endpoint: /metrics (configurable) in the Prometheus text format
// with the exact Content-Type the exposition spec asks for, health,
// readiness and a landing page.
//
// One thread serves every connection from epoll, so idle, slow and
// non-reading clients cost a descriptor and a little memory each, never a
// worker; another renders the exposition into an immutable body that the
// scrapes waiting for it share. No lock is held while a socket is waited
// on, and no client's pace holds up another's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exporter/exposition/exposition_source.h"
#include "exporter/http/web_options.h"

namespace pping {

inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// Why the server closed connections, for its own metrics.
enum class HttpClose : uint8_t {
  kCompleted,        // the response was sent, or the client closed
  kHeaderTimeout,    // the request head took longer than read_header_timeout
  kIdleTimeout,      // a kept-alive connection sent nothing within idle_timeout
  kWriteTimeout,     // the response was not taken within write_timeout
  kReplacedAtLimit,  // at max_connections, it had waited longest for a request
  kRefusedAtLimit,   // at max_connections with none to replace
  kBadRequest,       // a malformed, oversized or unsupported request
  kSlowReader,       // it still held an old body when a newer one was needed
  kTlsError,         // a failed TLS handshake or record, or plain HTTP to a TLS port
  kCount,
};

// The reason's label value: "completed", "header_timeout", ...
const char* HttpCloseName(HttpClose why);

struct HttpStats {
  uint64_t open = 0;      // connections open now
  uint64_t accepted = 0;  // since start
  uint64_t closed[static_cast<size_t>(HttpClose::kCount)] = {};
  uint64_t renders = 0;                 // exposition bodies rendered
  uint64_t unauthorized = 0;            // requests answered 401
  uint64_t config_reloads = 0;          // the web config read again after a change
  uint64_t config_reload_failures = 0;  // ... and found unusable (the old one kept)
};

// A socket the server listens on: its host as a URL writes it ("[::]",
// "127.0.0.1") and its port.
struct ListenAddress {
  std::string host;
  int port = 0;
};

class HttpServer {
 public:
  // Binds at once; throws UsageError when an address is unusable or the
  // web config file cannot be used.
  explicit HttpServer(const WebOptions& options);
  HttpServer(const std::string& listen_address, const std::string& telemetry_path);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops serving, closes every connection and waits for a running
  // render; idempotent.
  void Stop();
  // /-/ready answers 200 only once this is set (programs attached).
  void SetReady(bool ready);

  void AddSource(std::weak_ptr<ExpositionSource> source);
  // The port of the first listen address, useful with port 0.
  int port() const;
  // Every socket listened on, in the order of the listen addresses.
  std::vector<ListenAddress> bound() const;
  // Whether it serves HTTPS (--web.config.file with tls_server_config),
  // and asks for credentials (basic_auth_users).
  bool tls() const;
  bool basic_auth() const;
  // The settings the landing page shows under the version, in order.
  void SetLandingDetails(std::vector<std::pair<std::string, std::string>> details);
  // The connection limit in force: max_connections, or less when the
  // process may not open that many descriptors.
  unsigned max_connections() const;
  HttpStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Why the exporter cannot listen on `listen_address` ([host]:port, the
// host an IPv4 address, a bracketed IPv6 one or empty for all): no
// port, a bad port or host, a port in use, an address not of this host;
// empty if it can.
std::string ListenAddressProblem(const std::string& listen_address);

// Reads a web config file and loads what it names (certificates, keys,
// CAs) as the server would; throws UsageError if it cannot be used.
void CheckWebConfigFile(const std::string& path);

}  // namespace pping
