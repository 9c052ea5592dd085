// SPDX-License-Identifier: Apache-2.0
// How long idle entries live before the cleanup removes them.
#pragma once

#include <chrono>

namespace pping {

struct CleanupOptions {
  std::chrono::nanoseconds interval = std::chrono::seconds(1);
  std::chrono::nanoseconds tcp_flow_timeout = std::chrono::minutes(5);
  std::chrono::nanoseconds icmp_flow_timeout = std::chrono::seconds(30);
  // Under pressure (a map nearly full), the oldest entries are evicted, but
  // none younger than this: a new flow gets a chance at its first sample.
  std::chrono::nanoseconds protect_young = std::chrono::milliseconds(500);
};

}  // namespace pping
