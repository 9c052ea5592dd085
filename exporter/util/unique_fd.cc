// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/unique_fd.h"

#include <fcntl.h>

#include <cerrno>

#include "exporter/util/error.h"

namespace pping {

UniqueFd UniqueFd::Dup(int fd) {
  const int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) throw Error(ErrnoMessage("duplicate descriptor " + std::to_string(fd), errno));
  return UniqueFd(copy);
}

}  // namespace pping
