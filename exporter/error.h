// SPDX-License-Identifier: Apache-2.0
// One error style for the whole exporter: failures at the libbpf/syscall
// boundary become an Error carrying "what we were doing: why it failed".
// Startup problems (bad flags, interfaces, permissions, ports) are UsageError
// and end the process with exit code 2.
#pragma once

#include <stdexcept>
#include <string>

namespace pping {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input from the user or the environment: one line, exit code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

inline constexpr int kUsageExitCode = 2;

// "context: strerror(errnum)" for a positive or negative errno value.
std::string ErrnoMessage(const std::string& context, int errnum);

// Throws UsageError("context: strerror") when `ret` is a negative errno
// (libbpf's convention), otherwise returns it.
int CheckLibbpf(int ret, const std::string& context);

}  // namespace pping
