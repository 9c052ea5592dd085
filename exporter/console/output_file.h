// SPDX-License-Identifier: Apache-2.0
// Where console output goes: stdout, or a file opened for appending that
// SIGHUP reopens (so logrotate can move it away). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace pping {

class OutputFile {
 public:
  // Empty path: stdout. `header`/`footer` are written after every open and
  // before every close (a JSON array's brackets). Throws UsageError if the
  // file cannot be opened.
  OutputFile(std::string path, bool append, std::function<std::string()> header = nullptr,
             std::function<std::string()> footer = nullptr);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // A write that fails (disk full, a closed pipe) is counted and logged,
  // at most once a minute: output is never worth stopping the exporter.
  void Write(const std::string& text);
  // Closes and opens the path again; a failure is logged and the old file kept.
  void Reopen();
  uint64_t failed_writes() const { return failed_writes_.load(std::memory_order_relaxed); }

 private:
  // Closes a file it opened; stdout stays open.
  struct Close {
    void operator()(FILE* file) const;
  };
  using File = std::unique_ptr<FILE, Close>;

  File Open() const;
  void WriteLocked(const std::string& text);

  std::string path_;
  bool append_;
  std::function<std::string()> header_;
  std::function<std::string()> footer_;
  std::mutex mu_;
  File file_;
  std::atomic<uint64_t> failed_writes_{0};
  std::chrono::steady_clock::time_point last_warning_{};  // guarded by mu_
};

}  // namespace pping
