// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/error.h"

#include <cstdlib>
#include <cstring>

namespace pping {

std::string ErrnoMessage(const std::string& context, int errnum) {
  return context + ": " + std::strerror(std::abs(errnum));
}

int CheckLibbpf(int ret, const std::string& context) {
  if (ret < 0) throw Error(ErrnoMessage(context, ret));
  return ret;
}

}  // namespace pping
