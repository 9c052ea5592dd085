// SPDX-License-Identifier: Apache-2.0
// The HTTP endpoint: /metrics (configurable) in the Prometheus text format
// with the exact Content-Type the exposition spec asks for, and a landing
// page. prometheus-cpp's own Exposer omits "version=0.0.4", hence this.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exporter/exposition/exposition_source.h"

class CivetServer;

namespace pping {

inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

class HttpServer {
 public:
  // Binds at once; throws UsageError when the address is unusable.
  HttpServer(const std::string& listen_address, const std::string& telemetry_path);
  ~HttpServer();

  // Stops serving and waits for running requests; idempotent.
  void Stop();
  // /-/ready answers 200 only once this is set (programs attached).
  void SetReady(bool ready);

  void AddSource(std::weak_ptr<ExpositionSource> source);
  // The bound port, useful with port 0.
  int port() const;

 private:
  class MetricsHandler;
  class LandingHandler;
  class StatusHandler;

  std::unique_ptr<CivetServer> server_;
  std::unique_ptr<MetricsHandler> metrics_;
  std::unique_ptr<LandingHandler> landing_;
  std::unique_ptr<StatusHandler> healthy_;
  std::unique_ptr<StatusHandler> ready_;
};

// ":9789" -> "9789", "host:port" and "[v6]:port" as civetweb wants them.
std::string CivetListeningPort(const std::string& listen_address);

// Why the exporter cannot listen on `listen_address` ([host]:port, the
// host an IPv4 address or empty for all): no port, a bad port or host, a
// port in use, an address not of this host; empty if it can (IPv6
// addresses are left to the server's own check).
std::string ListenAddressProblem(const std::string& listen_address);

}  // namespace pping
