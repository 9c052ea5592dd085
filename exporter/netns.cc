// SPDX-License-Identifier: Apache-2.0
#include "exporter/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

#include "exporter/error.h"

namespace pping {

NetnsScope::NetnsScope(const std::string& name) {
  if (name.empty()) return;
  const std::string path = "/run/netns/" + name;
  const int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) throw UsageError(ErrnoMessage("open network namespace " + path, errno));
  original_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const int err = original_ < 0 || setns(target, CLONE_NEWNET) != 0 ? errno : 0;
  close(target);
  if (err != 0) {
    if (original_ >= 0) close(original_);
    throw UsageError(ErrnoMessage("enter network namespace " + name, err));
  }
}

NetnsScope::~NetnsScope() {
  if (original_ < 0) return;
  if (setns(original_, CLONE_NEWNET) != 0) {
    spdlog::error("{}", ErrnoMessage("return to the original network namespace", errno));
  }
  close(original_);
}

}  // namespace pping
