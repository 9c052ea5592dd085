// SPDX-License-Identifier: Apache-2.0
// Writes pcap files with libpcap, packet by packet: captures made by tests
// and the benchmark for the replay to read.
#pragma once

#include <cstdint>
#include <span>
#include <string>

struct pcap;
struct pcap_dumper;

namespace pping::testing {

class PcapWriter {
 public:
  enum class Precision { kNano, kMicro };

  // Throws std::runtime_error when the file cannot be written. Packets
  // longer than `snap_length` are cut to it, as tcpdump -s does.
  PcapWriter(const std::string& path, int link_type, uint32_t snap_length = 262144,
             Precision precision = Precision::kNano);
  ~PcapWriter();  // completes the file
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // A packet at `time_ns` (since the epoch) that was `wire_len` bytes on
  // the wire (0: its own length).
  void Write(uint64_t time_ns, std::span<const uint8_t> packet, uint32_t wire_len = 0);

 private:
  pcap* dead_ = nullptr;
  pcap_dumper* dumper_ = nullptr;
  uint32_t snap_length_;
  Precision precision_;
};

}  // namespace pping::testing
