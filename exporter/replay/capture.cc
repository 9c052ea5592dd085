// SPDX-License-Identifier: Apache-2.0
#include "exporter/replay/capture.h"

#include <pcap/pcap.h>
#include <spdlog/spdlog.h>

#include "exporter/util/error.h"

namespace pping {

void ClosePcap(pcap* handle) { pcap_close(handle); }

CaptureReader::CaptureReader(const std::string& path) : path_(path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  // Nanosecond stamps where the file has them; microsecond files are
  // scaled up by libpcap.
  pcap_.reset(pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error));
  if (!pcap_) throw UsageError("read capture " + path + ": " + error);
  link_type_ = pcap_datalink(pcap_.get());
  nanos_per_tick_ = pcap_get_tstamp_precision(pcap_.get()) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
}

bool CaptureReader::Next(CapturedPacket& packet) {
  for (;;) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int result = pcap_next_ex(pcap_.get(), &header, &data);
    if (result == PCAP_ERROR_BREAK) return false;  // the end of the file
    if (result == PCAP_ERROR) {
      // libpcap tells a file that ends inside a record (its writer was
      // killed) from a malformed one only in its wording.
      const std::string why = pcap_geterr(pcap_.get());
      if (why.find("truncated") != std::string::npos) {
        spdlog::warn("{}: the capture ends part way through a packet ({}); replayed up to there", path_, why);
        return false;
      }
      throw UsageError("capture " + path_ + " is malformed after " + std::to_string(packets_) + " packets: " + why);
    }
    ++packets_;
    // Times past 2262 do not fit the nanoseconds the datapath counts in.
    if (header->ts.tv_sec < 0 || static_cast<uint64_t>(header->ts.tv_sec) > kMaxSeconds) {
      if (bad_times_++ == 0) {
        spdlog::warn(
            "{}: packet {} is stamped {} s after the epoch, past what nanoseconds can hold; such packets "
            "are skipped",
            path_, packets_, static_cast<int64_t>(header->ts.tv_sec));
      }
      continue;
    }
    packet.time_ns = static_cast<uint64_t>(header->ts.tv_sec) * 1'000'000'000 +
                     static_cast<uint64_t>(header->ts.tv_usec) * nanos_per_tick_;
    packet.data = {data, header->caplen};
    packet.wire_len = header->len;
    packet.number = packets_;
    return true;
  }
}

}  // namespace pping
