// SPDX-License-Identifier: Apache-2.0
#include "tests/support/pcap_writer.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <stdexcept>

namespace pping::testing {

PcapWriter::PcapWriter(const std::string& path, int link_type, uint32_t snap_length, Precision precision)
    : snap_length_(snap_length), precision_(precision) {
  dead_ = pcap_open_dead_with_tstamp_precision(
      link_type, static_cast<int>(snap_length),
      precision == Precision::kNano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  if (!dead_) throw std::runtime_error("pcap_open_dead failed");
  dumper_ = pcap_dump_open(dead_, path.c_str());
  if (!dumper_) {
    const std::string why = pcap_geterr(dead_);
    pcap_close(dead_);
    throw std::runtime_error("write capture " + path + ": " + why);
  }
}

PcapWriter::~PcapWriter() {
  pcap_dump_close(dumper_);
  pcap_close(dead_);
}

void PcapWriter::Write(uint64_t time_ns, std::span<const uint8_t> packet, uint32_t wire_len) {
  pcap_pkthdr header{};
  header.ts.tv_sec = static_cast<time_t>(time_ns / 1'000'000'000);
  const uint64_t fraction = time_ns % 1'000'000'000;  // the field holds the file's unit
  header.ts.tv_usec = static_cast<suseconds_t>(precision_ == Precision::kNano ? fraction : fraction / 1000);
  header.caplen = std::min(static_cast<uint32_t>(packet.size()), snap_length_);
  header.len = wire_len ? wire_len : static_cast<uint32_t>(packet.size());
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, packet.data());
}

}  // namespace pping::testing
