// SPDX-License-Identifier: Apache-2.0
#include "exporter/console/output_file.h"

#include <spdlog/spdlog.h>

#include <cerrno>

#include "exporter/util/error.h"

namespace pping {

OutputFile::OutputFile(std::string path, bool append, std::function<std::string()> header,
                       std::function<std::string()> footer)
    : path_(std::move(path)), append_(append), header_(std::move(header)), footer_(std::move(footer)) {
  file_ = Open();
  if (!file_) throw UsageError(ErrnoMessage("open --output.write file " + path_, errno));
  if (header_) WriteLocked(header_());
}

OutputFile::~OutputFile() {
  std::lock_guard lock(mu_);
  if (footer_) WriteLocked(footer_());
}

void OutputFile::Close::operator()(FILE* file) const {
  if (file && file != stdout) std::fclose(file);
}

OutputFile::File OutputFile::Open() const {
  if (path_.empty()) return File(stdout);
  return File(std::fopen(path_.c_str(), append_ ? "a" : "w"));
}

void OutputFile::WriteLocked(const std::string& text) {
  constexpr auto kWarningEvery = std::chrono::minutes(1);
  if (text.empty()) return;
  // Flushed each time: readers (tail -f, pipes) see each record at once.
  const bool written =
      std::fwrite(text.data(), 1, text.size(), file_.get()) == text.size() && std::fflush(file_.get()) == 0;
  if (written) return;
  const int error = errno;
  std::clearerr(file_.get());
  const uint64_t failed = failed_writes_.fetch_add(1, std::memory_order_relaxed) + 1;
  const auto now = std::chrono::steady_clock::now();
  if (failed > 1 && now - last_warning_ < kWarningEvery) return;
  last_warning_ = now;
  spdlog::error("{} ({} failed so far; pping_exporter_output_write_errors_total counts them)",
                ErrnoMessage("write to " + (path_.empty() ? std::string("stdout") : path_), error), failed);
}

void OutputFile::Write(const std::string& text) {
  std::lock_guard lock(mu_);
  WriteLocked(text);
}

void OutputFile::Reopen() {
  std::lock_guard lock(mu_);
  if (path_.empty()) return;
  File fresh = Open();
  if (!fresh) {
    spdlog::error("{}", ErrnoMessage("reopen " + path_ + " (keeping the old file)", errno));
    return;
  }
  if (footer_) WriteLocked(footer_());
  file_ = std::move(fresh);
  if (header_) WriteLocked(header_());
  spdlog::info("reopened {}", path_);
}

}  // namespace pping
