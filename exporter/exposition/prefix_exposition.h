// SPDX-License-Identifier: Apache-2.0
// Writes the per-prefix families (RTT histograms, min/max gauges, traffic
// counters) straight into exposition text. These are the only families
// whose size grows with the traffic (prefixes x buckets): one prometheus-cpp
// object per bucket costs orders of magnitude more than copying a few
// preformatted pieces per line (docs/performance.md, "Scrape").
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "exporter/exposition/rtt_buckets.h"
#include "exporter/exposition/text_buffer.h"
#include "exporter/stats/prefix_stats.h"

namespace pping {

// Which of the per-prefix families, in the order they are written.
enum class PrefixFamily { kRtt, kRttMin, kRttMax, kPackets, kBytes, kRetransmits, kSpurious, kDns };

// Lives across scrapes (one scrape at a time) so its label text is kept.
// A scrape writes one family at a time, each in a walk over the prefixes
// of its own, straight into the stream: nothing waits in a buffer that
// grows with the prefixes, so a scrape's memory stays a piece however
// many prefixes there are.
class PrefixExposition {
 public:
  // `retransmits`: the datapath counts TCP retransmissions, so their
  // families are written (zeros would read as a loss-free link).
  // The name of the interface with ifindex (& kIfindexMask) `ifindex`,
  // for the interface label of prefixes kept per interface.
  using InterfaceNames = std::function<std::string(uint32_t ifindex)>;

  explicit PrefixExposition(RttBucketLayout layout, bool retransmits = true, InterfaceNames interface_names = {});

  // The families served, in exposition order.
  const std::vector<PrefixFamily>& families() const { return families_; }
  // A family's HELP and TYPE lines.
  static void Header(PrefixFamily family, TextBuffer& out);
  // The prefix's samples of `family`, if it has any there. `slot`: the
  // prefix's place in the aggregator (see Aggregator::Walk), by which its
  // label text is kept; `total` since start; `last_rtt`: the latest
  // interval with RTT samples.
  void Add(PrefixFamily family, TextBuffer& out, uint32_t slot, const PrefixKey& key, const PrefixStats& total,
           const RttRange& last_rtt);
  // A histogram family's sample names, fixed at compile time.
  struct HistogramNames {
    const char* name;
    const char* bucket;
    const char* sum;
    const char* count;
  };

  // Drops the label text kept for slots at or past `slots`, which the
  // aggregator has given back; returns how many slots' text it dropped.
  size_t KeepLabelsFor(size_t slots);

 private:
  // A prefix's label text, formatted once and kept across scrapes, by slot
  // (no lookup per prefix per scrape); a slot freed and given to another
  // prefix is formatted anew. The RTT families' text is formatted on the
  // prefix's first RTT sample.
  struct Labels {
    PrefixKey key;
    std::string prefix;  // prefix="...",protocol="..."[,interface="..."], empty until formatted
    std::string rtt;     // empty until needed, then the same plus matched_on="..." and method="..." (DNS: rcode="...")
    const HistogramNames* family = nullptr;  // pping_rtt_seconds or pping_dns_response_seconds
    std::string bucket_head;                 // pping_rtt_seconds_bucket{<rtt>,le="
  };
  const Labels& LabelsOf(uint32_t slot, const PrefixKey& key, bool with_rtt);
  void AddHistogram(TextBuffer& out, const Labels& labels, const PrefixStats& total);

  RttBucketLayout layout_;
  InterfaceNames interface_names_;
  std::vector<PrefixFamily> families_;
  std::vector<uint64_t> cumulative_;
  std::vector<Labels> labels_;  // by slot
};

}  // namespace pping
