// SPDX-License-Identifier: Apache-2.0
#include "exporter/attach/tc_attach.h"

#include <bpf/bpf.h>
#include <net/if.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "exporter/attach/tcx.h"
#include "exporter/util/error.h"
#include "exporter/util/netns.h"

namespace pping {
namespace {

constexpr bpf_attach_type kTcxPoints[2] = {kTcxIngress, kTcxEgress};
constexpr int kEnotsupp = 524;  // kernel-internal ENOTSUPP

constexpr const char* kHookNames[2] = {"ingress", "egress"};
constexpr bpf_tc_attach_point kTcPoints[2] = {BPF_TC_INGRESS, BPF_TC_EGRESS};

bool TcxUnsupported(int err) { return err == EINVAL || err == EOPNOTSUPP || err == kEnotsupp; }

std::string Where(const char* hook, const Interface& iface) {
  return std::string("attach tc ") + hook + " on " + iface.name;
}

const char* HookName(bpf_tc_attach_point point) { return point == BPF_TC_INGRESS ? "ingress" : "egress"; }

bpf_tc_hook Hook(const Interface& iface, bpf_tc_attach_point point) {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = iface.ifindex;
  hook.attach_point = point;
  return hook;
}

// Removes something from an interface on its owner's way out: in the
// interface's namespace, skipped when the device is gone (it took its
// qdisc and filters along), logged and never thrown.
template <typename Remove>
void RemoveFrom(const Interface& iface, const char* what, const Remove& remove) {
  try {
    NetnsScope scope(iface.netns);
    if (if_nametoindex(iface.name.c_str()) != static_cast<unsigned>(iface.ifindex)) return;
    if (const int err = remove(); err < 0) {
      spdlog::warn("{}", ErrnoMessage(std::string("remove ") + what + " from " + iface.name, err));
    }
  } catch (const std::exception& e) {
    spdlog::error("remove {} from {}: {}", what, iface.name, e.what());
  }
}

}  // namespace

std::string HookModeName(HookMode mode) { return mode == HookMode::kTcx ? "tcx" : "clsact"; }

ClsactQdisc::~ClsactQdisc() {
  RemoveFrom(iface_, "clsact qdisc", [this] {
    bpf_tc_hook hook = Hook(iface_, static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS));
    return bpf_tc_hook_destroy(&hook);
  });
}

ClsactFilter::ClsactFilter(const Interface& iface, bpf_tc_attach_point point, int prog_fd)
    : iface_(iface), point_(point) {
  bpf_tc_hook hook = Hook(iface_, point_);
  bpf_tc_opts opts{};
  opts.sz = sizeof(opts);
  opts.prog_fd = prog_fd;
  CheckLibbpf(bpf_tc_attach(&hook, &opts), Where(HookName(point_), iface_));
  handle_ = opts.handle;
  priority_ = opts.priority;
}

ClsactFilter::~ClsactFilter() {
  RemoveFrom(iface_, (std::string("tc ") + HookName(point_) + " filter").c_str(), [this] {
    bpf_tc_hook hook = Hook(iface_, point_);
    bpf_tc_opts opts{};
    opts.sz = sizeof(opts);
    opts.handle = handle_;
    opts.priority = priority_;
    return bpf_tc_detach(&hook, &opts);
  });
}

TcAttachment::TcAttachment(const Interface& iface, const UniqueFd& ingress_prog, const UniqueFd& egress_prog,
                           TcMode mode)
    : iface_(iface) {
  NetnsScope scope(iface_.netns);
  if (mode != TcMode::kClsact && TryTcx(ingress_prog, egress_prog, mode == TcMode::kAuto)) return;
  mode_ = HookMode::kClsact;
  AttachClsact(ingress_prog, egress_prog);
}

bool TcAttachment::TryTcx(const UniqueFd& ingress_prog, const UniqueFd& egress_prog, bool fallback_allowed) {
  const UniqueFd* progs[2] = {&ingress_prog, &egress_prog};
  for (int hook = 0; hook < 2; ++hook) {
    if (!*progs[hook]) continue;
    UniqueFd link(bpf_link_create(progs[hook]->get(), iface_.ifindex, kTcxPoints[hook], nullptr));
    if (link) {
      tcx_links_[hook] = std::move(link);
      continue;
    }
    const int err = errno;
    tcx_links_[0].reset();
    if (fallback_allowed && TcxUnsupported(err)) {
      spdlog::info("TCX links unavailable on {} ({}), using a clsact qdisc", iface_.name, std::strerror(err));
      return false;
    }
    throw Error(ErrnoMessage(Where(kHookNames[hook], iface_), err));
  }
  return true;
}

// On a failure part way, what was added goes with the members already set.
void TcAttachment::AttachClsact(const UniqueFd& ingress_prog, const UniqueFd& egress_prog) {
  bpf_tc_hook hook = Hook(iface_, BPF_TC_INGRESS);
  const int created = bpf_tc_hook_create(&hook);
  if (created < 0 && created != -EEXIST) {
    throw Error(ErrnoMessage("create clsact qdisc on " + iface_.name, created));
  }
  if (created == 0) created_qdisc_.emplace(iface_);
  const UniqueFd* progs[2] = {&ingress_prog, &egress_prog};
  for (int i = 0; i < 2; ++i) {
    if (*progs[i]) filters_[i].emplace(iface_, kTcPoints[i], progs[i]->get());
  }
}

}  // namespace pping
