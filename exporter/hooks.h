// SPDX-License-Identifier: Apache-2.0
// All hooks of one interface: tc egress, and ingress at tc or XDP, with the
// program variant that fits the link (with or without Ethernet header).
#pragma once

#include <memory>
#include <vector>

#include "exporter/attachment_info.h"
#include "exporter/datapath.h"
#include "exporter/interfaces.h"
#include "exporter/tc_attach.h"
#include "exporter/xdp_attach.h"

namespace pping {

struct HookOptions {
  AttachPolicy tc_policy = AttachPolicy::kAuto;
  bool xdp_ingress = false;
  XdpMode xdp_mode = XdpMode::kUnspecified;
};

class InterfaceHooks {
 public:
  // Throws UsageError with nothing left attached on failure.
  InterfaceHooks(const Interface& iface, const Datapath& datapath, const HookOptions& options);

  std::vector<AttachmentInfo> Describe() const;

 private:
  Interface iface_;
  std::unique_ptr<TcAttachment> tc_;
  std::unique_ptr<XdpAttachment> xdp_;  // destroyed first
};

}  // namespace pping
