// SPDX-License-Identifier: Apache-2.0
#include "exporter/periodic_task.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

namespace pping {

PeriodicTask::PeriodicTask(std::string name, std::chrono::milliseconds interval, std::function<void()> task)
    : thread_([name = std::move(name), interval, task = std::move(task)](std::stop_token stop) {
        std::mutex mu;
        std::condition_variable_any wake;
        std::unique_lock lock(mu);
        while (!stop.stop_requested()) {
          wake.wait_for(lock, stop, interval, [] { return false; });
          if (stop.stop_requested()) break;
          try {
            task();
          } catch (const std::exception& e) {
            spdlog::error("{}: {}", name, e.what());
          }
        }
      }) {}

PeriodicTask::~PeriodicTask() { thread_.request_stop(); }

}  // namespace pping
