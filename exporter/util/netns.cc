// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <spdlog/spdlog.h>

#include <cerrno>

#include "exporter/util/error.h"

namespace pping {

NetnsScope::NetnsScope(const std::string& name) {
  if (name.empty()) return;
  const std::string path = "/run/netns/" + name;
  const UniqueFd target(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target) {
    const int err = errno;
    if (err == ENOENT) throw UsageError("unknown network namespace " + name + " (no " + path + ")");
    throw Error(ErrnoMessage("open network namespace " + path, err));
  }
  UniqueFd original(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!original) throw Error(ErrnoMessage("open the current network namespace", errno));
  if (setns(target.get(), CLONE_NEWNET) != 0) throw Error(ErrnoMessage("enter network namespace " + name, errno));
  original_ = std::move(original);
}

NetnsScope::~NetnsScope() {
  if (original_ && setns(original_.get(), CLONE_NEWNET) != 0) {
    spdlog::error("{}", ErrnoMessage("return to the original network namespace", errno));
  }
}

}  // namespace pping
