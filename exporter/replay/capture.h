// SPDX-License-Identifier: Apache-2.0
// Reads a packet capture (pcap or pcapng, through libpcap) packet by
// packet, with the capture's own time and each packet's length on the
// wire next to what was captured of it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "exporter/util/owned.h"

// libpcap's handle, kept opaque: its headers define `struct bpf_insn`
// as libbpf's do, so no translation unit may see both.
struct pcap;

namespace pping {

void ClosePcap(pcap* handle);

struct CapturedPacket {
  uint64_t time_ns = 0;           // since the Unix epoch
  std::span<const uint8_t> data;  // what was captured: at most the snap length
  uint32_t wire_len = 0;          // the packet's length on the wire
  uint64_t number = 0;            // its place in the capture, from 1
};

class CaptureReader {
 public:
  // Throws UsageError when the file cannot be read as a capture.
  explicit CaptureReader(const std::string& path);

  // The next packet; false at the end. A capture cut short in its last
  // record (a writer killed) ends there, with a warning; a malformed one
  // throws UsageError. Packets stamped past what int64 nanoseconds hold
  // (the year 2262) are skipped, with a warning. `packet.data` is valid
  // until the next call.
  bool Next(CapturedPacket& packet);

  int link_type() const { return link_type_; }
  const std::string& path() const { return path_; }
  uint64_t packets_read() const { return packets_; }
  uint64_t bad_times() const { return bad_times_; }

  static constexpr uint64_t kMaxSeconds = 9'223'372'035;  // INT64_MAX ns, whole seconds, less one

 private:
  std::string path_;
  Owned<pcap, ClosePcap> pcap_;
  int link_type_ = 0;
  uint64_t nanos_per_tick_ = 1000;  // 1 for captures stamped in nanoseconds
  uint64_t packets_ = 0;
  uint64_t bad_times_ = 0;
};

}  // namespace pping
