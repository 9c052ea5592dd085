// SPDX-License-Identifier: Apache-2.0
#include "exporter/hooks.h"

namespace pping {

InterfaceHooks::InterfaceHooks(const Interface& iface, const Datapath& datapath, const HookOptions& options)
    : iface_(iface) {
  const int tc_ingress = options.xdp_ingress ? -1 : datapath.ingress_program_fd(iface.l3_only);
  tc_ = std::make_unique<TcAttachment>(iface, tc_ingress, datapath.egress_program_fd(iface.l3_only), options.tc_policy);
  if (options.xdp_ingress) {
    xdp_ = std::make_unique<XdpAttachment>(iface, datapath.xdp_ingress_program_fd(iface.l3_only), options.xdp_mode);
  }
}

std::vector<AttachmentInfo> InterfaceHooks::Describe() const {
  const std::string tc_mode = HookModeName(tc_->mode());
  return {{iface_.name, "ingress", xdp_ ? xdp_->mode_name() : tc_mode}, {iface_.name, "egress", tc_mode}};
}

}  // namespace pping
