// SPDX-License-Identifier: Apache-2.0
// Where the HTTP endpoint listens and serves the metrics.
#pragma once

#include <string>

namespace pping {

struct WebOptions {
  std::string listen_address = ":9789";  // [host]:port; port 0 picks a free one
  std::string telemetry_path = "/metrics";
};

}  // namespace pping
