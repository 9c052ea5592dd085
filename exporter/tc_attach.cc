// SPDX-License-Identifier: Apache-2.0
#include "exporter/tc_attach.h"

#include <bpf/bpf.h>
#include <net/if.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "exporter/error.h"
#include "exporter/netns.h"

namespace pping {
namespace {

// Debian's uapi headers (6.1) and libbpf 1.1 predate TCX; these are the
// kernel's values of enum bpf_attach_type.
constexpr int kBpfTcxIngress = 46;
constexpr int kBpfTcxEgress = 47;
constexpr int kEnotsupp = 524;  // kernel-internal ENOTSUPP

constexpr const char* kHookNames[2] = {"ingress", "egress"};
constexpr bpf_tc_attach_point kTcPoints[2] = {BPF_TC_INGRESS, BPF_TC_EGRESS};

bool TcxUnsupported(int err) { return err == EINVAL || err == EOPNOTSUPP || err == kEnotsupp; }

std::string Where(const char* hook, const Interface& iface) {
  return std::string("attach tc ") + hook + " on " + iface.name;
}

}  // namespace

std::string HookModeName(HookMode mode) { return mode == HookMode::kTcx ? "tcx" : "clsact"; }

AttachPolicy ParseAttachPolicy(const std::string& text) {
  if (text == "tcx") return AttachPolicy::kTcxOnly;
  if (text == "clsact") return AttachPolicy::kClsactOnly;
  if (text == "auto") return AttachPolicy::kAuto;
  throw UsageError("unknown tc attach mode " + text);
}

TcAttachment::TcAttachment(const Interface& iface, int ingress_prog_fd, int egress_prog_fd, AttachPolicy policy)
    : iface_(iface) {
  NetnsScope scope(iface_.netns);
  if (policy != AttachPolicy::kClsactOnly && TryTcx(ingress_prog_fd, egress_prog_fd, policy == AttachPolicy::kAuto)) {
    return;
  }
  mode_ = HookMode::kClsact;
  try {
    AttachClsact(ingress_prog_fd, egress_prog_fd);
  } catch (...) {
    DetachClsact();
    throw;
  }
}

bool TcAttachment::TryTcx(int ingress_prog_fd, int egress_prog_fd, bool fallback_allowed) {
  const int progs[2] = {ingress_prog_fd, egress_prog_fd};
  const int types[2] = {kBpfTcxIngress, kBpfTcxEgress};
  for (int hook = 0; hook < 2; ++hook) {
    if (progs[hook] < 0) continue;
    const int fd = bpf_link_create(progs[hook], iface_.ifindex, static_cast<bpf_attach_type>(types[hook]), nullptr);
    if (fd >= 0) {
      tcx_links_[hook] = fd;
      continue;
    }
    const int err = errno;
    if (tcx_links_[0] >= 0) close(tcx_links_[0]);
    tcx_links_[0] = -1;
    if (fallback_allowed && TcxUnsupported(err)) {
      spdlog::info("TCX links unavailable on {} ({}), using a clsact qdisc", iface_.name, std::strerror(err));
      return false;
    }
    throw UsageError(ErrnoMessage(Where(kHookNames[hook], iface_), err));
  }
  return true;
}

void TcAttachment::AttachClsact(int ingress_prog_fd, int egress_prog_fd) {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = iface_.ifindex;
  hook.attach_point = BPF_TC_INGRESS;
  const int created = bpf_tc_hook_create(&hook);
  if (created < 0 && created != -EEXIST) {
    throw UsageError(ErrnoMessage("create clsact qdisc on " + iface_.name, created));
  }
  created_qdisc_ = created == 0;
  const int progs[2] = {ingress_prog_fd, egress_prog_fd};
  for (int i = 0; i < 2; ++i) {
    if (progs[i] < 0) continue;
    hook.attach_point = kTcPoints[i];
    bpf_tc_opts& opts = clsact_opts_[i];
    opts.sz = sizeof(opts);
    opts.prog_fd = progs[i];
    CheckLibbpf(bpf_tc_attach(&hook, &opts), Where(kHookNames[i], iface_));
    clsact_attached_[i] = true;
  }
}

void TcAttachment::DetachClsact() {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = iface_.ifindex;
  for (int i = 0; i < 2; ++i) {
    if (!clsact_attached_[i]) continue;
    hook.attach_point = kTcPoints[i];
    bpf_tc_opts opts{};
    opts.sz = sizeof(opts);
    opts.handle = clsact_opts_[i].handle;
    opts.priority = clsact_opts_[i].priority;
    if (int err = bpf_tc_detach(&hook, &opts); err < 0) {
      spdlog::warn("{}", ErrnoMessage(std::string("detach tc ") + kHookNames[i] + " from " + iface_.name, err));
    }
    clsact_attached_[i] = false;
  }
  if (created_qdisc_) {
    hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
    bpf_tc_hook_destroy(&hook);
    created_qdisc_ = false;
  }
}

TcAttachment::~TcAttachment() {
  for (int& fd : tcx_links_) {
    if (fd >= 0) close(fd);  // closing the only link fd detaches it
    fd = -1;
  }
  if (mode_ != HookMode::kClsact) return;
  try {
    NetnsScope scope(iface_.netns);
    // A device that is gone took its qdisc and filters with it.
    if (if_nametoindex(iface_.name.c_str()) != static_cast<unsigned>(iface_.ifindex)) return;
    DetachClsact();
  } catch (const std::exception& e) {
    spdlog::error("detach from {}: {}", iface_.name, e.what());
  }
}

}  // namespace pping
