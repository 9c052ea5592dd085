// SPDX-License-Identifier: Apache-2.0
// What the HTTP server asks for on every scrape: a piece of the text
// exposition. Sources write text themselves so that the large per-prefix
// families need not pass through one object per sample.
#pragma once

#include <cstdio>
#include <memory>
#include <string_view>
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

// Writes the whole exposition of `source` to `out` (a file, stdout);
// false when writing failed.
inline bool WriteExposition(ExpositionSource& source, std::FILE* out) {
  TextBuffer text;
  ExpositionStream stream(
      text, [out](std::string_view piece) { return std::fwrite(piece.data(), 1, piece.size(), out) == piece.size(); });
  source.AppendExposition(stream);
  stream.Flush();
  return !stream.client_gone() && std::fflush(out) == 0;
}

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
