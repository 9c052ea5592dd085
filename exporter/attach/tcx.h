// SPDX-License-Identifier: Apache-2.0
// The kernel's attach types of TCX links. enum bpf_attach_type names them
// from the kernel 6.6 uapi headers on; with older headers they are the
// kernel's values, which a kernel with TCX understands.
#pragma once

#include <linux/bpf.h>
#include <linux/version.h>

namespace pping {

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
inline constexpr bpf_attach_type kTcxIngress = BPF_TCX_INGRESS;
inline constexpr bpf_attach_type kTcxEgress = BPF_TCX_EGRESS;
#else
inline constexpr auto kTcxIngress = static_cast<bpf_attach_type>(46);
inline constexpr auto kTcxEgress = static_cast<bpf_attach_type>(47);
#endif

}  // namespace pping
