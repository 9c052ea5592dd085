// SPDX-License-Identifier: Apache-2.0
// Ownership of objects that C libraries (libbpf, libxdp) hand out with a
// matching free function: Owned<bpf_link, bpf_link__destroy> frees the
// link exactly once, when its owner goes.
#pragma once

#include <memory>

namespace pping {

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T* object) const {
    if (object) Free(object);
  }
};

template <typename T, auto Free>
using Owned = std::unique_ptr<T, FreeWith<Free>>;

}  // namespace pping
