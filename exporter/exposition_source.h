// SPDX-License-Identifier: Apache-2.0
// What the HTTP server asks for on every scrape: a piece of the text
// exposition. Sources write text themselves so that the large per-prefix
// families need not pass through one object per sample.
#pragma once

#include "exporter/exposition_stream.h"

namespace pping {

class ExpositionSource {
 public:
  virtual ~ExpositionSource() = default;
  // Appends complete metric families (HELP, TYPE, samples) to `out`,
  // yielding where the text so far may be sent. The server calls one
  // scrape at a time.
  virtual void AppendExposition(ExpositionStream& out) = 0;
};

}  // namespace pping
