// SPDX-License-Identifier: Apache-2.0
// What the HTTP server asks for on every scrape: a piece of the text
// exposition. Sources write text themselves so that the large per-prefix
// families need not pass through one object per sample.
#pragma once

#include <memory>
#include <vector>

#include "exporter/exposition/exposition_stream.h"

namespace pping {

class ExpositionSource {
 public:
  virtual ~ExpositionSource() = default;
  // Appends complete metric families (HELP, TYPE, samples) to `out`,
  // yielding where the text so far may be sent. The server calls one
  // scrape at a time.
  virtual void AppendExposition(ExpositionStream& out) = 0;
};

// Writes the exposition of all sources still alive, in order, into `out`
// (its last piece still waits there: the caller flushes it); stops once
// the client is gone.
inline void RenderExposition(const std::vector<std::weak_ptr<ExpositionSource>>& sources, ExpositionStream& out) {
  for (const auto& weak : sources) {
    if (out.client_gone()) return;
    if (auto source = weak.lock()) source->AppendExposition(out);
    out.Yield();
  }
}

}  // namespace pping
