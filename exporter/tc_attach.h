// SPDX-License-Identifier: Apache-2.0
// Attaches the ingress and egress programs to one interface: as TCX links
// where the kernel has them (6.6+), through a clsact qdisc otherwise. The
// destructor removes exactly what was added.
#pragma once

#include <bpf/libbpf.h>

#include <string>

#include "exporter/interfaces.h"

namespace pping {

enum class HookMode { kTcx, kClsact };

// What the user asked for: TCX with clsact fallback, or one of them only.
enum class AttachPolicy { kAuto, kTcxOnly, kClsactOnly };

AttachPolicy ParseAttachPolicy(const std::string& text);

std::string HookModeName(HookMode mode);

class TcAttachment {
 public:
  // Throws UsageError naming the interface and hook on failure, with
  // nothing left attached. An ingress_prog_fd of -1 attaches egress only
  // (ingress then runs at XDP).
  TcAttachment(const Interface& iface, int ingress_prog_fd, int egress_prog_fd,
               AttachPolicy policy = AttachPolicy::kAuto);
  ~TcAttachment();
  TcAttachment(const TcAttachment&) = delete;
  TcAttachment& operator=(const TcAttachment&) = delete;

  HookMode mode() const { return mode_; }
  const Interface& interface() const { return iface_; }

 private:
  bool TryTcx(int ingress_prog_fd, int egress_prog_fd, bool fallback_allowed);
  void AttachClsact(int ingress_prog_fd, int egress_prog_fd);
  void DetachClsact();

  Interface iface_;
  HookMode mode_ = HookMode::kTcx;
  int tcx_links_[2] = {-1, -1};
  bpf_tc_opts clsact_opts_[2] = {};
  bool clsact_attached_[2] = {false, false};
  bool created_qdisc_ = false;
};

}  // namespace pping
