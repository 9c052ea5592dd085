// SPDX-License-Identifier: Apache-2.0
// Tests that load BPF programs or build namespaces need root; elsewhere
// they skip with a reason instead of failing.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <functional>
#include <string>
#include <vector>

#define PPING_SKIP_UNLESS_ROOT()                                                  \
  do {                                                                            \
    if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF and CAP_NET_ADMIN)"; \
  } while (0)

namespace pping::testing {

// Calls fn(fd, info) for every loaded BPF program; the fd is closed after
// the call unless fn returns true (it keeps the fd).
void ForEachLoadedProgram(const std::function<bool(int fd, const bpf_prog_info& info)>& fn);

// Names of every BPF program loaded on the machine right now.
std::vector<std::string> LoadedBpfProgramNames();

// True if a pping program is still loaded after waiting a moment: the
// kernel frees detached programs after an RCU grace period.
bool PpingProgramsRemain();

}  // namespace pping::testing
