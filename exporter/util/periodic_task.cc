// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/periodic_task.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>

namespace pping {
namespace {

// How often a task that keeps failing is logged again: a task that ticks
// every 100 ms must not flood the log.
constexpr std::chrono::seconds kRepeatEvery{10};

// Logs a task's failures: the first at once, repeats at most every
// kRepeatEvery with their count, and the recovery.
class FailureLog {
 public:
  explicit FailureLog(std::string name) : name_(std::move(name)) {}

  void Failed(const std::string& what) {
    const auto now = std::chrono::steady_clock::now();
    ++failures_;
    if (failures_ == 1 || now - last_logged_ >= kRepeatEvery) {
      spdlog::error("{}: {}{}", name_, what,
                    failures_ == 1 ? "" : " (" + std::to_string(failures_) + " failures in a row)");
      last_logged_ = now;
    }
  }
  void Succeeded() {
    if (failures_ > 0) spdlog::info("{}: works again after {} failures", name_, failures_);
    failures_ = 0;
  }

 private:
  std::string name_;
  uint64_t failures_ = 0;
  std::chrono::steady_clock::time_point last_logged_;
};

}  // namespace

PeriodicTask::PeriodicTask(std::string name, std::chrono::nanoseconds interval, std::function<void()> task,
                           TaskThread thread)
    : thread_([name = std::move(name), interval, task = std::move(task), thread](std::stop_token stop) {
        if (thread.keep && !RestrictThread(thread.name, *thread.keep)) {
          spdlog::warn("{}: the thread keeps its capabilities: {}", name, std::strerror(errno));
        } else if (!thread.keep) {
          NameThread(thread.name);
        }
        std::mutex mu;
        std::condition_variable_any wake;
        std::unique_lock lock(mu);
        FailureLog failures(name);
        while (!stop.stop_requested()) {
          wake.wait_for(lock, stop, interval, [] { return false; });
          if (stop.stop_requested()) break;
          try {
            task();
            failures.Succeeded();
          } catch (const std::exception& e) {
            failures.Failed(e.what());
          }
        }
      }) {}

PeriodicTask::~PeriodicTask() { thread_.request_stop(); }

}  // namespace pping
