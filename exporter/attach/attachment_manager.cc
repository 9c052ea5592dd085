// SPDX-License-Identifier: Apache-2.0
#include "exporter/attach/attachment_manager.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "exporter/stats/prefix_stats.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

std::string Where(const Interface& iface) {
  return iface.name + (iface.netns.empty() ? "" : " in netns " + iface.netns);
}

// The interface as it exists now, or nullopt if it does not.
std::optional<Interface> Lookup(const Interface& wanted) {
  try {
    return ResolveInterface(wanted.name, wanted.netns);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

AttachmentManager::AttachmentManager(const std::vector<Interface>& interfaces, DatapathPrograms programs,
                                     HookOptions options)
    : programs_(std::move(programs)), options_(options) {
  for (const Interface& iface : interfaces) {
    entries_.push_back({iface, std::make_unique<InterfaceHooks>(iface, programs_, options_), 0});
    names_[static_cast<uint32_t>(iface.ifindex) & kIfindexMask] = iface.name;
    for (const auto& info : entries_.back().hooks->Describe()) {
      spdlog::info("attached {} {} ({})", info.hook, Where(iface), info.mode);
    }
  }
}

void AttachmentManager::ReconcileOne(Entry& entry) {
  const std::optional<Interface> now = Lookup(entry.iface);
  if (entry.hooks && now && now->ifindex == entry.iface.ifindex) return;  // all well
  if (entry.hooks) {
    spdlog::warn("interface {} disappeared; will re-attach when it is back", Where(entry.iface));
    entry.hooks.reset();  // its links and filters went with the device
  }
  if (!now) return;
  try {
    entry.hooks = std::make_unique<InterfaceHooks>(*now, programs_, options_);
    entry.iface = *now;
    names_[static_cast<uint32_t>(now->ifindex) & kIfindexMask] = now->name;
    ++entry.reattachments;
    spdlog::info("interface {} is back (ifindex {}); re-attached", Where(entry.iface), entry.iface.ifindex);
  } catch (const Error& e) {
    spdlog::warn("re-attach to {}: {}", Where(entry.iface), e.what());
  }
}

void AttachmentManager::Reconcile() {
  std::lock_guard lock(mu_);
  for (Entry& entry : entries_) ReconcileOne(entry);
}

std::string AttachmentManager::InterfaceName(uint32_t ifindex) const {
  std::lock_guard lock(mu_);
  const auto it = names_.find(ifindex & kIfindexMask);
  return it == names_.end() ? "" : it->second;
}

AttachmentReport AttachmentManager::Report() const {
  std::lock_guard lock(mu_);
  AttachmentReport report;
  for (const Entry& entry : entries_) {
    report.interfaces.push_back({entry.iface.name, entry.hooks != nullptr, entry.reattachments});
    if (!entry.hooks) continue;
    for (const auto& info : entry.hooks->Describe()) report.attachments.push_back(info);
  }
  return report;
}

}  // namespace pping
