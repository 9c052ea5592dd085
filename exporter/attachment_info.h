// SPDX-License-Identifier: Apache-2.0
// What is attached where, as a plain struct for logs and metrics.
#pragma once

#include <string>

namespace pping {

struct AttachmentInfo {
  std::string interface;
  std::string hook;  // "ingress" or "egress"
  std::string mode;  // "tcx", "clsact", "xdp-native", "xdp-generic"
};

}  // namespace pping
