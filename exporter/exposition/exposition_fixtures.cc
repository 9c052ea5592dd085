// SPDX-License-Identifier: Apache-2.0
#include "exporter/exposition/exposition_fixtures.h"

#include "bpf/abi/rtt_histogram.h"
#include "exporter/exposition/prefix_exposition.h"
#include "exporter/exposition/text_buffer.h"

namespace pping::testing {

PrefixSnapshot TcpPrefix() {
  PrefixSnapshot p;
  p.key = {ParseAddress("192.0.2.0"), 120, PP_PROTO_TCP};
  PrefixStats& s = p.total;
  s.rx_packets = 10;
  s.rx_bytes = 1500;
  s.tx_packets = 12;
  s.tx_bytes = 1800;
  s.rx_retransmits = 2;
  s.tx_retransmits = 3;
  s.tx_spurious_retransmits = 1;
  s.rtt_count = 4;
  s.rtt_sum_ns = 3'000 + 5'000 + 20'000'000 + 40'000'000;
  s.rtt_min_ns = 3'000;
  s.rtt_max_ns = 40'000'000;
  for (uint64_t ns : {3'000ull, 5'000ull, 20'000'000ull, 40'000'000ull}) s.rtt_buckets[pp_hist_bucket(ns / 1000)]++;
  p.last_rtt = {s.rtt_min_ns, s.rtt_max_ns};
  return p;
}

void WritePrefixes(PrefixExposition& exposition, TextBuffer& out,
                   const std::vector<std::pair<uint32_t, PrefixSnapshot>>& prefixes) {
  for (const PrefixFamily family : exposition.families()) {
    PrefixExposition::Header(family, out);
    for (const auto& [slot, p] : prefixes) exposition.Add(family, out, slot, p.key, p.total, p.last_rtt);
  }
}

std::string RenderPrefixes(const std::vector<PrefixSnapshot>& prefixes, const RttBucketOptions& buckets) {
  PrefixExposition exposition{RttBucketLayout(buckets)};
  std::vector<std::pair<uint32_t, PrefixSnapshot>> in_slots;
  for (uint32_t slot = 0; slot < prefixes.size(); ++slot) in_slots.emplace_back(slot, prefixes[slot]);
  TextBuffer text;
  WritePrefixes(exposition, text, in_slots);
  return std::string(text.view());
}

}  // namespace pping::testing
