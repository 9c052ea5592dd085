// SPDX-License-Identifier: Apache-2.0
#include "exporter/events/aggregate_format.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "exporter/error.h"
#include "exporter/events/formatter.h"
#include "exporter/events/json_array.h"
#include "exporter/metric_families.h"
#include "exporter/rtt_quantile.h"

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

std::string MatchedOn(const PrefixKey& key) { return key.matched_on == PP_DIR_EGRESS ? "egress" : "ingress"; }

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
           ProtoClassName(r.key.proto_class) + (r.key.matched_on == PP_DIR_EGRESS ? " (local) " : " ") + rtt +
           " rx=" + std::to_string(r.window.rx_packets) + "pkts/" + std::to_string(r.window.rx_bytes) +
           "B tx=" + std::to_string(r.window.tx_packets) + "pkts/" + std::to_string(r.window.tx_bytes) + "B\n";
  }
};

nlohmann::ordered_json ToJson(const AggregateRecord& r) {
  const Summary s = Summarize(r.window);
  return {{"timestamp", UnixNanoseconds(r.time)},
          {"prefix", PrefixText(r.key.prefix, r.key.prefix_len)},
          {"protocol", ProtoClassName(r.key.proto_class)},
          {"matched_on", MatchedOn(r.key)},
          {"rtt_count", r.window.rtt_count},
          {"rtt_min", s.min},
          {"rtt_mean", s.mean},
          {"rtt_median", s.median},
          {"rtt_p95", s.p95},
          {"rtt_max", s.max},
          {"rx_packets", r.window.rx_packets},
          {"rx_bytes", r.window.rx_bytes},
          {"tx_packets", r.window.tx_packets},
          {"tx_bytes", r.window.tx_bytes}};
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

std::unique_ptr<AggregateFormatter> MakeAggregateFormatter(const std::string& name) {
  if (name == "standard") return std::make_unique<StandardAggregate>();
  if (name == "json") return std::make_unique<JsonArrayAggregate>();
  if (name == "jsonl") return std::make_unique<JsonLinesAggregate>();
  throw UsageError("--aggregate prints standard, json or jsonl, not " + name);
}

}  // namespace pping
