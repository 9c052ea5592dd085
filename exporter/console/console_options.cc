// SPDX-License-Identifier: Apache-2.0
#include "exporter/console/console_options.h"

namespace pping {

const char* OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kStandard: return "standard";
    case OutputFormat::kPpviz: return "ppviz";
    case OutputFormat::kJson: return "json";
    case OutputFormat::kJsonl: return "jsonl";
  }
  return "standard";
}

}  // namespace pping
