// SPDX-License-Identifier: Apache-2.0
// All hooks of one interface: tc egress, and ingress at tc or XDP, with the
// program variant that fits the link (with or without Ethernet header).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "exporter/attach/attach_options.h"
#include "exporter/attach/interfaces.h"
#include "exporter/attach/tc_attach.h"
#include "exporter/attach/xdp_attach.h"
#include "exporter/kernel/programs.h"
#include "exporter/stats/attachment_info.h"

namespace pping {

class InterfaceHooks {
 public:
  // Throws Error with nothing left attached on failure.
  InterfaceHooks(const Interface& iface, const DatapathPrograms& programs, const HookOptions& options);

  std::vector<AttachmentInfo> Describe() const;

 private:
  Interface iface_;
  TcAttachment tc_;
  std::optional<XdpAttachment> xdp_;  // destroyed first
};

}  // namespace pping
