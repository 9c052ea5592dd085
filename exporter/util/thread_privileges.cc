// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/thread_privileges.h"

#include <linux/capability.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pping {

bool BecomeUnprivilegedThread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  // pid 0: the calling thread only. Lowering the permitted set cannot be
  // undone, and nothing this thread starts can regain what it gave up.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = {};
  return syscall(SYS_capset, &header, none) == 0;
}

}  // namespace pping
