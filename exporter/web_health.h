// SPDX-License-Identifier: Apache-2.0
// The HTTP server's connection counts as the exposition reports them.
#pragma once

#include "exporter/exposition/metric_families.h"
#include "exporter/http/http_server.h"

namespace pping {

inline WebHealth WebHealthOf(const HttpServer& http) {
  const HttpStats stats = http.stats();
  WebHealth out{.open = stats.open,
                .limit = http.max_connections(),
                .closed = {},
                .unauthorized = stats.unauthorized,
                .config_reloads = stats.config_reloads,
                .config_reload_failures = stats.config_reload_failures};
  for (size_t i = 0; i < std::size(stats.closed); ++i) {
    out.closed.emplace_back(HttpCloseName(static_cast<HttpClose>(i)), stats.closed[i]);
  }
  return out;
}

}  // namespace pping
