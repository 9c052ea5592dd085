// SPDX-License-Identifier: Apache-2.0
// Times scrapes as Prometheus makes them: HTTP/1.1 (so a chunked body),
// read into a buffer kept from one scrape to the next (Prometheus pools
// its read buffers by the size of the last scrape). The tests' HttpGet
// grows a fresh string instead, which for a body of tens of MB without a
// Content-Length is mostly the client's own copying.
#pragma once

#include <string_view>

#include "exporter/exposition/text_buffer.h"

namespace pping::bench {

class ScrapeTimer {
 public:
  // `gzip`: asks for the body compressed, as Prometheus does.
  explicit ScrapeTimer(int port, bool gzip = false) : port_(port), gzip_(gzip) {}

  // One GET /metrics, from connect to the connection's close; returns
  // milliseconds, or -1 if nothing answered or the body came incomplete.
  double TimeOne();
  // The raw response of the last scrape (headers and chunked body).
  std::string_view last_response() const { return response_.view(); }

 private:
  int port_;
  bool gzip_;
  TextBuffer response_;  // grows unzeroed and keeps its pages between scrapes
};

}  // namespace pping::bench
