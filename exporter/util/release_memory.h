// SPDX-License-Identifier: Apache-2.0
// Hands pages the process freed back to the system.
#pragma once

namespace pping {

// glibc keeps freed chunks for reuse, so after a peak of prefixes their
// statistics and label text would stay in the RSS once forgotten. Called
// after such a release, not routinely: it walks the heap.
void ReleaseFreedMemory();

}  // namespace pping
