// SPDX-License-Identifier: Apache-2.0
#include "exporter/attach/xdp_attach.h"

#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <spdlog/spdlog.h>
#include <xdp/libxdp.h>

#include <cstdarg>
#include <cstdio>

#include "exporter/attach/orphans.h"
#include "exporter/util/error.h"
#include "exporter/util/netns.h"

namespace pping {
namespace {

xdp_attach_mode ToLibxdp(XdpMode mode) {
  switch (mode) {
    case XdpMode::kNative: return XDP_MODE_NATIVE;
    case XdpMode::kGeneric: return XDP_MODE_SKB;
    case XdpMode::kUnspecified: return XDP_MODE_UNSPEC;
  }
  return XDP_MODE_UNSPEC;
}

std::string ModeName(xdp_attach_mode mode) {
  switch (mode) {
    case XDP_MODE_NATIVE: return "xdp-native";
    case XDP_MODE_SKB: return "xdp-generic";
    case XDP_MODE_HW: return "xdp-offload";
    default: return "xdp";
  }
}

int LogLibxdp(enum libxdp_print_level level, const char* format, va_list args) {
  char line[1024];
  const int n = std::vsnprintf(line, sizeof(line), format, args);
  std::string text(line, n > 0 ? std::min<size_t>(n, sizeof(line) - 1) : 0);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  spdlog::log(level == LIBXDP_DEBUG ? spdlog::level::trace : spdlog::level::debug, "libxdp: {}", text);
  return n;
}

// libxdp reports a dispatcher only when it could load one.
bool AttachedThroughDispatcher(int ifindex) {
  Owned<xdp_multiprog, xdp_multiprog__close> mp(xdp_multiprog__get_from_ifindex(ifindex));
  if (libxdp_get_error(mp.get())) {
    (void)mp.release();  // an error pointer, not an object
    return false;
  }
  return !xdp_multiprog__is_legacy(mp.get());
}

// An XDP program attached alone stays after its process: one that an
// exporter which ended without detaching left is removed first, else the
// interface would refuse ours. Anything else is left to libxdp, which
// refuses to replace it or adds ours beside it through its dispatcher.
void RemoveOrphanedXdp(const Interface& iface) {
  bpf_xdp_query_opts query{};
  query.sz = sizeof(query);
  if (bpf_xdp_query(iface.ifindex, 0, &query) != 0) return;
  const struct {
    uint32_t id;
    uint32_t flags;
  } modes[] = {{query.skb_prog_id, XDP_FLAGS_SKB_MODE}, {query.drv_prog_id, XDP_FLAGS_DRV_MODE}};
  for (const auto& [id, flags] : modes) {
    if (id == 0 || !JudgeAttachedProgram(id).orphaned) continue;
    if (const int err = bpf_xdp_detach(iface.ifindex, flags, nullptr); err < 0) {
      spdlog::warn("{}",
                   ErrnoMessage("remove the orphaned XDP program " + std::to_string(id) + " from " + iface.name, err));
      continue;
    }
    spdlog::warn("removed the XDP program {} that a pping_exporter which ended without detaching left on {}", id,
                 iface.name);
  }
}

}  // namespace

void XdpAttachment::Close(::xdp_program* program) { xdp_program__close(program); }

XdpAttachment::XdpAttachment(const Interface& iface, const UniqueFd& prog, XdpMode mode) : iface_(iface) {
  NetnsScope scope(iface_.netns);
  // libxdp takes a descriptor of its own, which xdp_program__close closes:
  // it gets a copy, and the caller's stays the caller's.
  UniqueFd copy = UniqueFd::Dup(prog.get());
  ::xdp_program* program = xdp_program__from_fd(copy.get());
  if (const long err = libxdp_get_error(program); err) {
    throw Error(ErrnoMessage("prepare XDP program for " + iface_.name, static_cast<int>(err)));
  }
  program_.reset(program);
  // Versions that keep the descriptor given instead of duplicating it now
  // own the copy.
  if (xdp_program__fd(program) == copy.get()) copy.release();
  RemoveOrphanedXdp(iface_);
  if (const int err = xdp_program__attach(program, iface_.ifindex, ToLibxdp(mode), 0); err) {
    program_.reset();
    throw Error(ErrnoMessage("attach XDP ingress on " + iface_.name, err));
  }
  attach_mode_ = xdp_program__is_attached(program, iface_.ifindex);
  // Attached: from here on a failure must detach again, as the destructor
  // of an object never constructed will not.
  try {
    mode_name_ = ModeName(static_cast<xdp_attach_mode>(attach_mode_));
    if (!AttachedThroughDispatcher(iface_.ifindex)) {
      spdlog::info(
          "XDP on {}: libxdp's multi-program dispatcher is unavailable here, so the program is attached "
          "alone ({}); other XDP programs cannot share the interface",
          iface_.name, mode_name_);
    }
  } catch (...) {
    Detach();
    throw;
  }
}

void XdpAttachment::Detach() {
  if (!program_) return;
  try {
    NetnsScope scope(iface_.netns);
    const auto mode = static_cast<xdp_attach_mode>(attach_mode_);
    if (const int err = xdp_program__detach(program_.get(), iface_.ifindex, mode, 0); err) {
      spdlog::warn("{}", ErrnoMessage("detach XDP from " + iface_.name, err));
    }
  } catch (const std::exception& e) {
    spdlog::error("detach XDP from {}: {}", iface_.name, e.what());
  }
  program_.reset();
}

XdpAttachment::~XdpAttachment() { Detach(); }

void RouteLibxdpLogToSpdlog() { libxdp_set_print(LogLibxdp); }

}  // namespace pping
