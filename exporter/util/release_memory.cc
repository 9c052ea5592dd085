// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/release_memory.h"

#include <malloc.h>

namespace pping {

void ReleaseFreedMemory() { malloc_trim(0); }

}  // namespace pping
