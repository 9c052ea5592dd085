// SPDX-License-Identifier: Apache-2.0
#include "exporter/attach/tc_attach.h"

#include <bpf/bpf.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "exporter/attach/orphans.h"
#include "exporter/attach/tcx.h"
#include "exporter/util/error.h"
#include "exporter/util/netns.h"

namespace pping {
namespace {

constexpr bpf_attach_type kTcxPoints[2] = {kTcxIngress, kTcxEgress};
constexpr int kEnotsupp = 524;  // kernel-internal ENOTSUPP

constexpr const char* kHookNames[2] = {"ingress", "egress"};
constexpr bpf_tc_attach_point kTcPoints[2] = {BPF_TC_INGRESS, BPF_TC_EGRESS};

// Every instance puts its filter at this handle and priority: a new one
// finds there what an instance that ended without detaching (SIGKILL, a
// crash, OOM) left behind.
constexpr uint32_t kFilterHandle = 0x9789;
constexpr uint32_t kFilterPriority = 0x9789;

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

// Filters on a clsact hook of `ifindex` (in the current namespace), from
// a netlink dump; -errno on failure. libbpf queries one filter by handle
// and priority only.
int CountTcFilters(int ifindex, bpf_tc_attach_point point) {
  const UniqueFd sock(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!sock) return -errno;
  struct {
    nlmsghdr header;
    tcmsg tc;
  } request{};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_GETTFILTER;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = 1;
  request.tc.tcm_family = AF_UNSPEC;
  request.tc.tcm_ifindex = ifindex;
  request.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT, point == BPF_TC_INGRESS ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
  if (send(sock.get(), &request, sizeof(request), 0) < 0) return -errno;
  int filters = 0;
  alignas(nlmsghdr) char buffer[16384];
  for (;;) {
    const ssize_t received = recv(sock.get(), buffer, sizeof(buffer), 0);
    if (received < 0) return -errno;
    int n = static_cast<int>(received);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, static_cast<unsigned>(n)); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return filters;
      if (h->nlmsg_type == NLMSG_ERROR) return reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
      // A dump also names each priority's chain, without a handle.
      if (h->nlmsg_type == RTM_NEWTFILTER && reinterpret_cast<tcmsg*>(NLMSG_DATA(h))->tcm_handle != 0) ++filters;
    }
  }
}

}  // namespace

FilterSlot InspectFilterSlot(const Interface& iface, bpf_tc_attach_point point) {
  // No qdisc or no filter at all: nothing to query (libbpf would log the
  // kernel's complaint about the missing qdisc).
  const int filters = CountTcFilters(iface.ifindex, point);
  if (filters == 0 || filters == -EINVAL || filters == -ENOENT) return {};
  bpf_tc_hook hook = Hook(iface, point);
  bpf_tc_opts query{};
  query.sz = sizeof(query);
  query.handle = kFilterHandle;
  query.priority = kFilterPriority;
  const int err = bpf_tc_query(&hook, &query);
  if (err == -ENOENT || err == -EINVAL) return {};  // no such filter, or no clsact qdisc
  if (err < 0) return {FilterSlot::kTaken, 0, ErrnoMessage("query", err)};
  const AttachedProgram program = JudgeAttachedProgram(query.prog_id);
  return {program.orphaned ? FilterSlot::kOrphaned : FilterSlot::kTaken, query.prog_id, program.why};
}

void RemoveOrphanedFilters(const Interface& iface) {
  for (const bpf_tc_attach_point point : kTcPoints) {
    const FilterSlot slot = InspectFilterSlot(iface, point);
    if (slot.state != FilterSlot::kOrphaned) continue;
    bpf_tc_hook hook = Hook(iface, point);
    bpf_tc_opts opts{};
    opts.sz = sizeof(opts);
    opts.handle = kFilterHandle;
    opts.priority = kFilterPriority;
    if (const int err = bpf_tc_detach(&hook, &opts); err < 0) {
      spdlog::warn("{}", ErrnoMessage(std::string("remove the orphaned tc ") + HookName(point) + " filter (program " +
                                          std::to_string(slot.prog_id) + ") from " + iface.name,
                                      err));
      continue;
    }
    spdlog::warn("removed the tc {} filter (program {}) that a pping_exporter which ended without detaching left on {}",
                 HookName(point), slot.prog_id, iface.name);
  }
}

std::string HookModeName(HookMode mode) { return mode == HookMode::kTcx ? "tcx" : "clsact"; }

ClsactQdisc::~ClsactQdisc() {
  RemoveFrom(iface_, "clsact qdisc", [this] {
    // Destroying the qdisc takes every filter on it along: it stays while
    // anyone else's (another exporter's, another tool's) is there.
    for (const bpf_tc_attach_point point : kTcPoints) {
      if (const int filters = CountTcFilters(iface_.ifindex, point); filters != 0) {
        spdlog::info("the clsact qdisc stays on {}: {}", iface_.name,
                     filters > 0 ? "it holds other filters" : ErrnoMessage("its filters cannot be listed", filters));
        return 0;
      }
    }
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
  const FilterSlot slot = InspectFilterSlot(iface_, point_);
  if (slot.state == FilterSlot::kTaken) {
    // Beside it, where the kernel puts it: never in place of a filter
    // that may be someone's.
    spdlog::warn("tc {} on {}: the filter at pping_exporter's slot (program {}) stays: {}; attaching beside it",
                 HookName(point_), iface_.name, slot.prog_id, slot.why);
  } else {
    opts.handle = kFilterHandle;
    opts.priority = kFilterPriority;
    // In one step: the hook is never without a program.
    if (slot.state == FilterSlot::kOrphaned) opts.flags = BPF_TC_F_REPLACE;
  }
  CheckLibbpf(bpf_tc_attach(&hook, &opts), Where(HookName(point_), iface_));
  if (slot.state == FilterSlot::kOrphaned) {
    spdlog::warn(
        "replaced the tc {} filter (program {}) that a pping_exporter which ended without detaching left on {}",
        HookName(point_), slot.prog_id, iface_.name);
  }
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
  if (mode != TcMode::kClsact && TryTcx(ingress_prog, egress_prog, mode == TcMode::kAuto)) {
    // TCX links end with their process; filters of an instance that ran
    // on clsact do not, and would run beside ours.
    RemoveOrphanedFilters(iface_);
    return;
  }
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
