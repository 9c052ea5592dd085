// SPDX-License-Identifier: Apache-2.0
// Hands pages the process freed back to the system.
#pragma once

namespace pping {

// glibc keeps freed chunks for reuse, so a peak of prefixes (1.6 KB of
// statistics and ~300 B of label text each) would stay in the RSS after
// the prefixes are forgotten. Called after such a release, not routinely:
// it walks the heap.
void ReleaseFreedMemory();

}  // namespace pping
