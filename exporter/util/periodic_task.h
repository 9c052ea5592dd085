// SPDX-License-Identifier: Apache-2.0
// Runs a function every interval on its own thread until destroyed.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "exporter/util/thread_privileges.h"

namespace pping {

// The thread a task runs on: its name in /proc (at most 15 bytes), and the
// capabilities it keeps of those it inherits (all, if unset).
struct TaskThread {
  std::string name;
  std::optional<CapabilitySet> keep;
};

class PeriodicTask {
 public:
  // Errors thrown by `task` are logged with `name` (a run of them at most
  // every few seconds) and do not stop it.
  PeriodicTask(std::string name, std::chrono::nanoseconds interval, std::function<void()> task, TaskThread thread = {});
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  std::jthread thread_;
};

}  // namespace pping
