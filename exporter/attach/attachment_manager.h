// SPDX-License-Identifier: Apache-2.0
// Keeps the datapath attached to the configured interfaces: an interface
// that disappears is reported (log, metrics) and its hooks released; when
// an interface of that name comes back, the hooks are attached again.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/attach/attach_options.h"
#include "exporter/attach/hooks.h"
#include "exporter/kernel/programs.h"
#include "exporter/stats/attachment_info.h"

namespace pping {

class AttachmentManager {
 public:
  // Attaches to every interface now; throws Error (nothing left attached)
  // if any of them fails. Keeps the programs for re-attaching.
  AttachmentManager(const std::vector<Interface>& interfaces, DatapathPrograms programs, HookOptions options);

  // Detects interfaces that vanished or came back (new ifindex) and
  // re-attaches; failures are logged and retried on the next call.
  void Reconcile();

  AttachmentReport Report() const;
  // The name of the interface attached with this ifindex (& kIfindexMask),
  // now or before; empty if none was.
  std::string InterfaceName(uint32_t ifindex) const;

 private:
  struct Entry {
    Interface iface;  // ifindex of the current (or last) attachment
    std::unique_ptr<InterfaceHooks> hooks;
    uint64_t reattachments = 0;
  };

  void ReconcileOne(Entry& entry);

  DatapathPrograms programs_;
  HookOptions options_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  std::map<uint32_t, std::string> names_;  // every ifindex attached, masked
};

}  // namespace pping
