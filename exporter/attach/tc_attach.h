// SPDX-License-Identifier: Apache-2.0
// Attaches the ingress and egress programs to one interface: as TCX links
// where the kernel has them (6.6+), through a clsact qdisc otherwise.
// Everything added is owned by a member and removed when it goes.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <optional>
#include <string>

#include "exporter/attach/attach_options.h"
#include "exporter/attach/interfaces.h"
#include "exporter/util/unique_fd.h"

namespace pping {

// How the programs ended up attached.
enum class HookMode { kTcx, kClsact };

// What is at the clsact handle and priority every instance uses.
struct FilterSlot {
  enum State { kFree, kOrphaned, kTaken };
  State state = kFree;
  uint32_t prog_id = 0;
  // kTaken: why it is left alone (someone else's program, a running
  // exporter's, or it cannot be told which).
  std::string why;
};

// kOrphaned only for one of our programs that no process holds: left by
// an instance that ended without detaching. Call in the interface's
// network namespace.
FilterSlot InspectFilterSlot(const Interface& iface, bpf_tc_attach_point point);
// Removes such filters from both hooks, logging each.
void RemoveOrphanedFilters(const Interface& iface);

std::string HookModeName(HookMode mode);

// A clsact qdisc this exporter created; destroyed (with any filter left on
// it) when its owner goes, unless the device went first.
class ClsactQdisc {
 public:
  explicit ClsactQdisc(const Interface& iface) : iface_(iface) {}
  ~ClsactQdisc();
  ClsactQdisc(const ClsactQdisc&) = delete;
  ClsactQdisc& operator=(const ClsactQdisc&) = delete;

 private:
  Interface iface_;
};

// One tc filter this exporter added on a clsact hook, removed when its
// owner goes (unless the device went first, taking it along).
class ClsactFilter {
 public:
  // Throws Error naming the interface and hook.
  ClsactFilter(const Interface& iface, bpf_tc_attach_point point, int prog_fd);
  ~ClsactFilter();
  ClsactFilter(const ClsactFilter&) = delete;
  ClsactFilter& operator=(const ClsactFilter&) = delete;

 private:
  Interface iface_;
  bpf_tc_attach_point point_;
  uint32_t handle_ = 0;
  uint32_t priority_ = 0;
};

class TcAttachment {
 public:
  // Throws Error naming the interface and hook on failure, with nothing
  // left attached. An invalid ingress_prog attaches egress only (ingress
  // then runs at XDP).
  TcAttachment(const Interface& iface, const UniqueFd& ingress_prog, const UniqueFd& egress_prog, TcMode mode);

  HookMode mode() const { return mode_; }

 private:
  bool TryTcx(const UniqueFd& ingress_prog, const UniqueFd& egress_prog, bool fallback_allowed);
  void AttachClsact(const UniqueFd& ingress_prog, const UniqueFd& egress_prog);

  Interface iface_;
  HookMode mode_ = HookMode::kTcx;
  UniqueFd tcx_links_[2];  // closing a link's only descriptor detaches it
  // Declared before the filters: destroyed after them.
  std::optional<ClsactQdisc> created_qdisc_;
  std::optional<ClsactFilter> filters_[2];
};

}  // namespace pping
