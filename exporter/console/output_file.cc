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
  if (text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), file_.get());
  std::fflush(file_.get());  // readers (tail -f, pipes) see each record at once
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
