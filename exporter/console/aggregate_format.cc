// SPDX-License-Identifier: Apache-2.0
#include "exporter/console/aggregate_format.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "exporter/console/formatter.h"
#include "exporter/console/json_array.h"
#include "exporter/stats/names.h"
#include "exporter/stats/rtt_quantile.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

struct Summary {
  double min, mean, median, p95, max;  // seconds
};

Summary Summarize(const PrefixStats& w) {
  if (w.rtt_count == 0) return {0, 0, 0, 0, 0};
  return {static_cast<double>(w.rtt_min_ns) / 1e9,
          static_cast<double>(w.rtt_sum_ns) / 1e9 / static_cast<double>(w.rtt_count), RttQuantileSeconds(w, 0.5),
          RttQuantileSeconds(w, 0.95), static_cast<double>(w.rtt_max_ns) / 1e9};
}

class StandardAggregate : public AggregateFormatter {
 public:
  std::string Format(const AggregateRecord& r) override {
    const Summary s = Summarize(r.window);
    char rtt[200] = "no RTT samples";
    if (r.window.rtt_count > 0) {
      std::snprintf(rtt, sizeof(rtt), "rtt count=%llu min=%.3fms mean=%.3fms median=%.3fms p95=%.3fms max=%.3fms",
                    static_cast<unsigned long long>(r.window.rtt_count), s.min * 1e3, s.mean * 1e3, s.median * 1e3,
                    s.p95 * 1e3, s.max * 1e3);
    }
    return ClockTime(r.time) + " " + PrefixText(r.key.prefix, r.key.prefix_len) + " " +
           ProtocolLabel(r.key.proto_class, r.key.method) + (r.key.method == PP_METHOD_SEQ_ACK ? " (seq/ack)" : "") +
           (r.key.method == PP_METHOD_DNS ? " (dns)" : "") + (r.key.matched_on == PP_DIR_EGRESS ? " (local) " : " ") +
           rtt + " rx=" + std::to_string(r.window.rx_packets) + "pkts/" + std::to_string(r.window.rx_bytes) +
           "B tx=" + std::to_string(r.window.tx_packets) + "pkts/" + std::to_string(r.window.tx_bytes) + "B" +
           Retransmits(r.window) + "\n";
  }

 private:
  // Only where there were any: most intervals of most prefixes have none.
  static std::string Retransmits(const PrefixStats& w) {
    if (w.rx_retransmits + w.tx_retransmits == 0) return "";
    return " retransmits rx=" + std::to_string(w.rx_retransmits) + " tx=" + std::to_string(w.tx_retransmits) +
           " (spurious " + std::to_string(w.tx_spurious_retransmits) + ")";
  }
};

nlohmann::ordered_json ToJson(const AggregateRecord& r) {
  const Summary s = Summarize(r.window);
  return {{"timestamp", UnixNanoseconds(r.time)},
          {"prefix", PrefixText(r.key.prefix, r.key.prefix_len)},
          {"protocol", ProtocolLabel(r.key.proto_class, r.key.method)},
          {"matched_on", HookName(r.key.matched_on)},
          {"method", RttMethodName(r.key.proto_class, r.key.method)},
          {"rtt_count", r.window.rtt_count},
          {"rtt_min", s.min},
          {"rtt_mean", s.mean},
          {"rtt_median", s.median},
          {"rtt_p95", s.p95},
          {"rtt_max", s.max},
          {"rx_packets", r.window.rx_packets},
          {"rx_bytes", r.window.rx_bytes},
          {"tx_packets", r.window.tx_packets},
          {"tx_bytes", r.window.tx_bytes},
          {"rx_retransmits", r.window.rx_retransmits},
          {"tx_retransmits", r.window.tx_retransmits},
          {"tx_spurious_retransmits", r.window.tx_spurious_retransmits}};
}

class JsonLinesAggregate : public AggregateFormatter {
 public:
  std::string Format(const AggregateRecord& r) override { return ToJson(r).dump() + "\n"; }
};

class JsonArrayAggregate : public AggregateFormatter {
 public:
  std::string Begin() override { return framing_.Begin(); }
  std::string End() override { return framing_.End(); }
  std::string Format(const AggregateRecord& r) override { return framing_.Element(ToJson(r)); }

 private:
  JsonArrayFraming framing_;
};

}  // namespace

std::unique_ptr<AggregateFormatter> MakeAggregateFormatter(OutputFormat format) {
  switch (format) {
    case OutputFormat::kStandard: return std::make_unique<StandardAggregate>();
    case OutputFormat::kJson: return std::make_unique<JsonArrayAggregate>();
    case OutputFormat::kJsonl: return std::make_unique<JsonLinesAggregate>();
    case OutputFormat::kPpviz: break;
  }
  throw UsageError(std::string("--output.aggregate prints standard, json or jsonl, not ") + OutputFormatName(format));
}

}  // namespace pping
