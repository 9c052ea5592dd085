// SPDX-License-Identifier: Apache-2.0
// Runs a function every interval on its own thread until destroyed.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace pping {

class PeriodicTask {
 public:
  // Errors thrown by `task` are logged with `name` (a run of them at most
  // every few seconds) and do not stop it.
  PeriodicTask(std::string name, std::chrono::nanoseconds interval, std::function<void()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  std::jthread thread_;
};

}  // namespace pping
