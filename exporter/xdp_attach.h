// SPDX-License-Identifier: Apache-2.0
// Attaches the ingress program at XDP through libxdp. Where libxdp's
// multi-program dispatcher cannot load (it needs freplace), libxdp falls
// back to attaching the program alone; that is logged, not fatal.
#pragma once

#include <string>

#include "exporter/interfaces.h"

struct xdp_program;

namespace pping {

enum class XdpMode { kUnspecified, kNative, kGeneric };

XdpMode ParseXdpMode(const std::string& text);

class XdpAttachment {
 public:
  // Throws UsageError naming the interface on failure.
  XdpAttachment(const Interface& iface, int prog_fd, XdpMode mode);
  ~XdpAttachment();
  XdpAttachment(const XdpAttachment&) = delete;
  XdpAttachment& operator=(const XdpAttachment&) = delete;

  // "xdp-native" or "xdp-generic": what the kernel actually did.
  const std::string& mode_name() const { return mode_name_; }

 private:
  Interface iface_;
  xdp_program* program_ = nullptr;
  int attach_mode_ = 0;  // enum xdp_attach_mode in effect
  std::string mode_name_;
};

// Routes libxdp's log into spdlog (at debug: its failures come back as
// error codes, which become one message with context).
void RouteLibxdpLogToSpdlog();

}  // namespace pping
