// SPDX-License-Identifier: Apache-2.0
// One error style for the whole exporter: failures at the libbpf/syscall
// boundary become an Error carrying "what we were doing: why it failed".
// Bad input (flags, config file, interface and namespace names, the listen
// address) is a UsageError: one line, exit code 2, nothing loaded or
// attached. Any other failure is an Error: exit code 1, with its context.
#pragma once

#include <stdexcept>
#include <string>

namespace pping {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class UsageError : public Error {
 public:
  using Error::Error;
};

inline constexpr int kFailureExitCode = 1;
inline constexpr int kUsageExitCode = 2;

// "context: strerror(errnum)" for a positive or negative errno value.
std::string ErrnoMessage(const std::string& context, int errnum);

// Throws Error("context: strerror") when `ret` is a negative errno (the
// libbpf convention), otherwise returns it.
int CheckLibbpf(int ret, const std::string& context);

}  // namespace pping
