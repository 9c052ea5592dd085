// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/thread_privileges.h"

#include <linux/capability.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pping {
namespace {

// capget/capset of the calling thread (pid 0) in the 64-bit layout.
struct ThreadCaps {
  CapabilitySet effective = 0, permitted = 0, inheritable = 0;
};

bool Get(ThreadCaps& caps) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  const auto join = [](uint32_t low, uint32_t high) { return CapabilitySet{low} | CapabilitySet{high} << 32; };
  caps.effective = join(data[0].effective, data[1].effective);
  caps.permitted = join(data[0].permitted, data[1].permitted);
  caps.inheritable = join(data[0].inheritable, data[1].inheritable);
  return true;
}

bool Set(const ThreadCaps& caps) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int half = 0; half < 2; ++half) {
    const int shift = 32 * half;
    data[half].effective = static_cast<uint32_t>(caps.effective >> shift);
    data[half].permitted = static_cast<uint32_t>(caps.permitted >> shift);
    data[half].inheritable = static_cast<uint32_t>(caps.inheritable >> shift);
  }
  return syscall(SYS_capset, &header, data) == 0;
}

}  // namespace

std::string CapabilityNames(CapabilitySet set) {
  std::string out;
  for (int cap = 0; cap < 64; ++cap) {
    if ((set & Capability(cap)) == 0) continue;
    if (!out.empty()) out += ",";
    switch (cap) {
      case CAP_NET_ADMIN: out += "cap_net_admin"; break;
      case CAP_SYS_ADMIN: out += "cap_sys_admin"; break;
      case CAP_PERFMON: out += "cap_perfmon"; break;
      case CAP_BPF: out += "cap_bpf"; break;
      default: out += std::to_string(cap);
    }
  }
  return out.empty() ? "none" : out;
}

CapabilitySet PermittedCapabilities() {
  ThreadCaps caps;
  return Get(caps) ? caps.permitted : 0;
}

CapabilitySet BpfUseCapabilities() {
  return (PermittedCapabilities() & Capability(CAP_BPF)) != 0 ? Capability(CAP_BPF) : Capability(CAP_SYS_ADMIN);
}

void NameThread(const std::string& name) {
  if (!name.empty()) pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

bool RestrictThread(const std::string& name, CapabilitySet keep) {
  NameThread(name);
  ThreadCaps caps;
  if (!Get(caps)) return false;
  // The bounding set only matters to a program this thread would execute
  // (none is): trimmed while CAP_SETPCAP is still at hand, and harmlessly
  // left as it is without it.
  if ((caps.effective & Capability(CAP_SETPCAP)) != 0) {
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
      if ((keep & Capability(cap)) == 0) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    }
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  // Lowering the permitted set cannot be undone: nothing this thread does
  // or starts later regains what it gave up.
  return Set({.effective = caps.permitted & keep, .permitted = caps.permitted & keep, .inheritable = 0});
}

bool BecomeUnprivilegedThread(const std::string& name) { return RestrictThread(name, 0); }

}  // namespace pping
