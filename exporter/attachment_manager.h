// SPDX-License-Identifier: Apache-2.0
// Keeps the datapath attached to the configured interfaces: an interface
// that disappears is reported (log, metrics) and its hooks released; when
// an interface of that name comes back, the hooks are attached again.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/attachment_info.h"
#include "exporter/datapath.h"
#include "exporter/hooks.h"

namespace pping {

class AttachmentManager {
 public:
  // Attaches to every interface now; throws UsageError (nothing left
  // attached) if any of them fails at startup.
  AttachmentManager(const std::vector<Interface>& interfaces, const Datapath& datapath, HookOptions options);

  // Detects interfaces that vanished or came back (new ifindex) and
  // re-attaches; failures are logged and retried on the next call.
  void Reconcile();

  AttachmentReport Report() const;

 private:
  struct Entry {
    Interface iface;  // ifindex of the current (or last) attachment
    std::unique_ptr<InterfaceHooks> hooks;
    uint64_t reattachments = 0;
  };

  void ReconcileOne(Entry& entry);

  const Datapath& datapath_;
  HookOptions options_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace pping
