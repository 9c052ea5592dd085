// SPDX-License-Identifier: Apache-2.0
// Runs a helper program (ip, sysctl) and reports failures with its output.
#pragma once

#include <string>
#include <vector>

namespace pping {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult RunCommand(const std::vector<std::string>& argv);

// Throws Error("`ip ...` failed (exit N): output") unless it succeeds.
void RunOrThrow(const std::vector<std::string>& argv);

}  // namespace pping
