// SPDX-License-Identifier: Apache-2.0
// Lists a BPF hash map's keys from user space, so callers can read and
// delete entries without disturbing the iteration.
#pragma once

#include <bpf/bpf.h>

#include <vector>

namespace pping {

template <typename Key>
std::vector<Key> AllKeys(int map_fd) {
  std::vector<Key> keys;
  Key key{};
  const void* previous = nullptr;
  while (bpf_map_get_next_key(map_fd, previous, &key) == 0) {
    keys.push_back(key);
    previous = &keys.back();
  }
  return keys;
}

}  // namespace pping
