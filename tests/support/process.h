// SPDX-License-Identifier: Apache-2.0
// Runs the exporter binary from tests: in the background (stopped with
// SIGTERM) or to completion, with its output captured.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pping::testing {

struct Exit {
  int code = -1;  // exit status, or 128 + signal
  std::string output;
};

class Process {
 public:
  explicit Process(const std::vector<std::string>& argv);
  Process(Process&& other) noexcept;
  ~Process();  // kills it if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool Running();
  // Sends SIGTERM and waits up to `timeout` (then SIGKILL).
  Exit Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for it to end by itself (SIGKILL after `timeout`).
  Exit Wait(std::chrono::milliseconds timeout);
  std::string Output() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  int status_ = -1;
};

// Path of the exporter binary among the test's runfiles.
std::string ExporterPath();

// The exporter's command line for monitoring `interface` inside network
// namespace `netns` and serving on 127.0.0.1:port, then `extra` flags.
std::vector<std::string> MonitoringExporterArgv(const std::string& netns, const std::string& interface, int port,
                                                const std::vector<std::string>& extra);

// A thread of a process as /proc/<pid>/task/<tid>/status shows it: its
// name and capability sets (bit CAP_x for capability x).
struct ThreadStatus {
  std::string tid, name;
  uint64_t effective = 0, permitted = 0, inheritable = 0, bounding = 0, ambient = 0;
};
std::vector<ThreadStatus> ThreadsOf(pid_t pid);

// The output of a shell command (stdout; stderr too with `with_stderr`).
std::string ShellOutput(const std::string& command, bool with_stderr = false);

// Runs the exporter with `args` until it exits by itself.
Exit RunExporter(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace pping::testing
