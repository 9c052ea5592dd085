// SPDX-License-Identifier: Apache-2.0
// Feeds one frame to a loaded tc program (BPF_PROG_TEST_RUN), as the kernel
// would hand it a packet: how captured packets are replayed through the
// same programs as live traffic. A datapath loaded for replay reads the
// frame's time and length on the wire from what is given here.
#pragma once

#include <cstdint>
#include <span>

#include "exporter/util/unique_fd.h"

namespace pping {

class PacketRunner {
 public:
  // At most this much of a frame is handed to the programs, which read
  // only headers (the length on the wire is given apart): the kernel
  // refuses a test run larger than a page, and captures hold super-packets
  // of tens of kilobytes (GRO, TSO, loopback).
  static constexpr size_t kMaxFrame = 2048;

  enum class Result { kRan, kRefused };

  explicit PacketRunner(UniqueFd program) : program_(std::move(program)) {}

  // `frame` starts with an Ethernet header (at least 14 bytes); `time_ns`
  // is the packet's time and `wire_len` its length on the wire. kRefused:
  // the kernel would not take the frame (EINVAL, e.g. an IPv4 or IPv6
  // frame that ends inside its IP header); any other failure throws Error.
  // `segments`: how many TCP segments a super-packet stands for, as the
  // kernel's GSO count (0: one).
  Result Run(std::span<const uint8_t> frame, uint64_t time_ns, uint32_t wire_len, uint16_t segments = 0) const;

 private:
  UniqueFd program_;
};

}  // namespace pping
