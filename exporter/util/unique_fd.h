// SPDX-License-Identifier: Apache-2.0
// A file descriptor with one owner: closed when its owner goes, moved but
// never copied. Kernel objects (BPF programs, maps, links, namespaces) live
// as long as some descriptor refers to them, so holding one is holding the
// object.
#pragma once

#include <unistd.h>

#include <utility>

namespace pping {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  // A second descriptor of the same kernel object, owned by the caller;
  // throws Error when the kernel refuses one.
  static UniqueFd Dup(int fd);

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace pping
