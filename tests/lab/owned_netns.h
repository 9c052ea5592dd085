// SPDX-License-Identifier: Apache-2.0
// Network namespaces a test, tool or demo owns: named NAME-PID-N, so
// several on one host never collide, and removed when their owner goes.
// Namespaces left by a process that was killed are removed by the next
// owner of the same NAME.
#pragma once

#include <string>

namespace pping {

// NAME-PID-N, unique to this process and call, after removing every
// namespace NAME-PID-... whose process is gone.
std::string UniqueNetnsBase(const std::string& name);

class OwnedNetns {
 public:
  // Creates /run/netns/NAME; throws Error.
  explicit OwnedNetns(std::string name);
  ~OwnedNetns();
  OwnedNetns(const OwnedNetns&) = delete;
  OwnedNetns& operator=(const OwnedNetns&) = delete;

  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace pping
