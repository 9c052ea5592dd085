// SPDX-License-Identifier: Apache-2.0
// Capabilities are per thread in Linux. Once the programs are attached,
// each thread keeps only what its own work needs: the thread that reads
// HTTP clients' bytes none, the threads that read the maps the right to
// use BPF descriptors, the one that re-attaches a returning interface
// what attaching takes. A thread started later inherits its starter's.
#pragma once

#include <cstdint>
#include <string>

namespace pping {

// A set of capabilities, bit CAP_x for capability x.
using CapabilitySet = uint64_t;

constexpr CapabilitySet Capability(int cap) { return CapabilitySet{1} << cap; }

// "cap_bpf,cap_net_admin": the names of a set's capabilities, lowest first
// (numbers for those without a name here); "none" for the empty set.
std::string CapabilityNames(CapabilitySet set);

// The calling thread's permitted capabilities.
CapabilitySet PermittedCapabilities();

// What a thread needs to use BPF descriptors it already has: kernels before
// 6.5 refuse every bpf() call to a thread without CAP_BPF (or, where
// CAP_BPF is not granted, CAP_SYS_ADMIN) while unprivileged BPF is
// disabled, even a map lookup by descriptor. Chosen from what the calling
// thread holds.
CapabilitySet BpfUseCapabilities();

// Names the calling thread as /proc/<pid>/task/<tid>/comm shows it (at
// most 15 bytes; empty: keeps its name).
void NameThread(const std::string& name);

// NameThread(name), and makes the calling thread keep only `keep` of
// the capabilities it holds, for good: its permitted and effective sets
// become their intersection with `keep`, its inheritable and ambient sets
// are cleared, and capabilities outside `keep` leave its bounding set where
// it may change it. False (errno set) if the kernel refused.
bool RestrictThread(const std::string& name, CapabilitySet keep);

// RestrictThread(name, 0).
bool BecomeUnprivilegedThread(const std::string& name);

}  // namespace pping
