// SPDX-License-Identifier: Apache-2.0
// Capabilities are per thread in Linux: a thread that handles untrusted
// input (HTTP clients) and needs no privilege gives all of its own up for
// good, while the threads that attach programs keep theirs.
#pragma once

#include <string>

namespace pping {

// Names the calling thread (as /proc/<pid>/task/<tid>/comm shows it, at
// most 15 bytes) and clears its effective, permitted and inheritable
// capability sets; false (errno set) if the kernel refused.
bool BecomeUnprivilegedThread(const std::string& name);

}  // namespace pping
