// SPDX-License-Identifier: Apache-2.0
// Attaches the ingress program at XDP through libxdp. Where libxdp's
// multi-program dispatcher cannot load (it needs freplace), libxdp falls
// back to attaching the program alone; that is logged, not fatal.
#pragma once

#include <string>

#include "exporter/attach/attach_options.h"
#include "exporter/attach/interfaces.h"
#include "exporter/util/owned.h"
#include "exporter/util/unique_fd.h"

struct xdp_program;
struct xdp_multiprog;

namespace pping {

class XdpAttachment {
 public:
  // Throws Error naming the interface on failure.
  XdpAttachment(const Interface& iface, const UniqueFd& prog, XdpMode mode);
  ~XdpAttachment();
  XdpAttachment(const XdpAttachment&) = delete;
  XdpAttachment& operator=(const XdpAttachment&) = delete;

  // "xdp-native" or "xdp-generic": what the kernel actually did.
  const std::string& mode_name() const { return mode_name_; }

 private:
  static void Close(::xdp_program* program);
  // Detaches (in the interface's namespace) and closes; never throws.
  void Detach();

  Interface iface_;
  Owned<::xdp_program, &XdpAttachment::Close> program_;
  int attach_mode_ = 0;  // enum xdp_attach_mode in effect
  std::string mode_name_;
};

// Routes libxdp's log into spdlog (at debug: its failures come back as
// error codes, which become one message with context).
void RouteLibxdpLogToSpdlog();

}  // namespace pping
