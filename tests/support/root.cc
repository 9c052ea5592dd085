// SPDX-License-Identifier: Apache-2.0
#include "tests/support/root.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace pping::testing {

void ForEachLoadedProgram(const std::function<bool(int fd, const bpf_prog_info& info)>& fn) {
  __u32 id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) {
    const int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && fn(fd, info)) continue;
    close(fd);
  }
}

std::vector<std::string> LoadedBpfProgramNames() {
  std::vector<std::string> names;
  ForEachLoadedProgram([&](int, const bpf_prog_info& info) {
    names.emplace_back(info.name);
    return false;
  });
  return names;
}

bool PpingProgramsRemain() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const auto names = LoadedBpfProgramNames();
    if (std::none_of(names.begin(), names.end(), [](const auto& n) { return n.rfind("pping_", 0) == 0; })) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

}  // namespace pping::testing
