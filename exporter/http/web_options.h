// SPDX-License-Identifier: Apache-2.0
// Where the HTTP endpoint listens and serves the metrics, and the limits
// that keep any one client from holding it up.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace pping {

struct WebOptions {
  // [host]:port each; port 0 picks a free one; no host: every address.
  std::vector<std::string> listen_addresses{":9789"};
  std::string telemetry_path = "/metrics";
  // The exporter toolkit's web config (TLS, basic auth); empty: plain HTTP
  // open to all.
  std::string config_file;
  // Open connections at most; at the limit a new one replaces the one that
  // has waited longest without a complete request.
  unsigned max_connections = 4096;
  // From a connection's first byte (or its accept) to the end of its
  // request head.
  std::chrono::nanoseconds read_header_timeout = std::chrono::seconds(5);
  // From a complete request to the last byte of its response.
  std::chrono::nanoseconds write_timeout = std::chrono::seconds(60);
  // A kept-alive connection waiting for its next request.
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(120);
};

}  // namespace pping
