// SPDX-License-Identifier: Apache-2.0
#include "exporter/attach/hooks.h"

namespace pping {
namespace {

const UniqueFd kNoProgram;

}  // namespace

InterfaceHooks::InterfaceHooks(const Interface& iface, const DatapathPrograms& programs, const HookOptions& options)
    : iface_(iface),
      tc_(iface, options.ingress == IngressHook::kXdp ? kNoProgram : programs.For(iface.l3_only).tc_ingress,
          programs.For(iface.l3_only).tc_egress, options.tc_mode) {
  if (options.ingress == IngressHook::kXdp)
    xdp_.emplace(iface, programs.For(iface.l3_only).xdp_ingress, options.xdp_mode);
}

std::vector<AttachmentInfo> InterfaceHooks::Describe() const {
  const std::string tc_mode = HookModeName(tc_.mode());
  return {{iface_.name, "ingress", xdp_ ? xdp_->mode_name() : tc_mode}, {iface_.name, "egress", tc_mode}};
}

}  // namespace pping
