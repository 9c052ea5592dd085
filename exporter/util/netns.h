// SPDX-License-Identifier: Apache-2.0
// Runs code inside a named network namespace: interface names, tc hooks and
// TCX links all resolve in the calling thread's namespace.
#pragma once

#include <string>

#include "exporter/util/unique_fd.h"

namespace pping {

// Moves the calling thread into /run/netns/NAME until destroyed; an empty
// name leaves the thread where it is. A namespace that does not exist is a
// UsageError; failing to enter or leave one is an Error.
class NetnsScope {
 public:
  explicit NetnsScope(const std::string& name);
  ~NetnsScope();
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;

 private:
  UniqueFd original_;
};

}  // namespace pping
