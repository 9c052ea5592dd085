// SPDX-License-Identifier: Apache-2.0
#include "exporter/kernel/packet_runner.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>

#include "exporter/util/error.h"

namespace pping {

PacketRunner::Result PacketRunner::Run(std::span<const uint8_t> frame, uint64_t time_ns, uint32_t wire_len,
                                       uint16_t segments) const {
  const std::span<const uint8_t> head = frame.first(std::min(frame.size(), kMaxFrame));
  __sk_buff context{};
  // 0 would tell the programs to read the clock instead: a packet stamped
  // at the epoch itself goes in a nanosecond later.
  context.tstamp = std::max<uint64_t>(time_ns, 1);
  // The length on the wire goes in cb[0]: the kernel's own wire_len field
  // refuses lengths past 64 KiB, which captured super-packets have.
  context.cb[0] = std::max<uint32_t>(wire_len, static_cast<uint32_t>(frame.size()));
  context.gso_segs = segments;
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = head.data();
  opts.data_size_in = static_cast<__u32>(head.size());
  opts.ctx_in = &context;
  opts.ctx_size_in = sizeof(context);
  if (bpf_prog_test_run_opts(program_.get(), &opts) == 0) return Result::kRan;
  if (errno == EINVAL) return Result::kRefused;
  throw Error(ErrnoMessage("run a captured packet through the datapath", errno));
}

}  // namespace pping
