// SPDX-License-Identifier: Apache-2.0
#include "exporter/xdp_attach.h"

#include <spdlog/spdlog.h>
#include <xdp/libxdp.h>

#include <cstdarg>
#include <cstdio>

#include "exporter/error.h"
#include "exporter/netns.h"

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
  xdp_multiprog* mp = xdp_multiprog__get_from_ifindex(ifindex);
  if (libxdp_get_error(mp)) return false;
  const bool dispatcher = !xdp_multiprog__is_legacy(mp);
  xdp_multiprog__close(mp);
  return dispatcher;
}

}  // namespace

XdpMode ParseXdpMode(const std::string& text) {
  if (text == "native") return XdpMode::kNative;
  if (text == "generic") return XdpMode::kGeneric;
  if (text == "unspecified") return XdpMode::kUnspecified;
  throw UsageError("unknown XDP mode " + text);
}

XdpAttachment::XdpAttachment(const Interface& iface, int prog_fd, XdpMode mode) : iface_(iface) {
  NetnsScope scope(iface_.netns);
  program_ = xdp_program__from_fd(prog_fd);
  if (const long err = libxdp_get_error(program_); err) {
    program_ = nullptr;
    throw UsageError(ErrnoMessage("prepare XDP program for " + iface_.name, static_cast<int>(err)));
  }
  if (const int err = xdp_program__attach(program_, iface_.ifindex, ToLibxdp(mode), 0); err) {
    xdp_program__close(program_);
    program_ = nullptr;
    throw UsageError(ErrnoMessage("attach XDP ingress on " + iface_.name, err));
  }
  attach_mode_ = xdp_program__is_attached(program_, iface_.ifindex);
  mode_name_ = ModeName(static_cast<xdp_attach_mode>(attach_mode_));
  if (!AttachedThroughDispatcher(iface_.ifindex)) {
    spdlog::info(
        "XDP on {}: libxdp's multi-program dispatcher is unavailable here, so the program is attached "
        "alone ({}); other XDP programs cannot share the interface",
        iface_.name, mode_name_);
  }
}

XdpAttachment::~XdpAttachment() {
  if (!program_) return;
  try {
    NetnsScope scope(iface_.netns);
    if (const int err = xdp_program__detach(program_, iface_.ifindex, static_cast<xdp_attach_mode>(attach_mode_), 0);
        err) {
      spdlog::warn("{}", ErrnoMessage("detach XDP from " + iface_.name, err));
    }
  } catch (const std::exception& e) {
    spdlog::error("detach XDP from {}: {}", iface_.name, e.what());
  }
  xdp_program__close(program_);
}

void RouteLibxdpLogToSpdlog() { libxdp_set_print(LogLibxdp); }

}  // namespace pping
