// SPDX-License-Identifier: Apache-2.0
// Programs that an exporter which ended without detaching (SIGKILL, a
// crash, the OOM killer) left attached: clsact filters and XDP programs
// stay after their process, TCX links do not. A new instance may take
// their place, but never that of a program that may be someone else's.
#pragma once

#include <cstdint>
#include <string>

namespace pping {

struct AttachedProgram {
  bool orphaned = false;  // ours, and no running pping_exporter holds it
  std::string why;        // if not: why it is left alone
};

// Judges program `id`: ours by its name (pping_*), orphaned if no running
// pping_exporter process holds a descriptor of it. Unknown counts as not
// orphaned: looking at the program takes CAP_SYS_ADMIN, and reading a
// process's descriptors the right to trace it.
AttachedProgram JudgeAttachedProgram(uint32_t id);

}  // namespace pping
