// SPDX-License-Identifier: Apache-2.0
// What is attached where, as a plain struct for logs and metrics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pping {

struct AttachmentInfo {
  std::string interface;
  std::string hook;  // "ingress" or "egress"
  std::string mode;  // "tcx", "clsact", "xdp-native", "xdp-generic"
};

struct InterfaceStatus {
  std::string interface;
  bool present = false;        // attached right now
  uint64_t reattachments = 0;  // times it came back and was attached again
};

struct AttachmentReport {
  std::vector<AttachmentInfo> attachments;
  std::vector<InterfaceStatus> interfaces;
};

}  // namespace pping
