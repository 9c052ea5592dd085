// SPDX-License-Identifier: Apache-2.0
#include "exporter/exposition/prefix_exposition.h"

#include <charconv>
#include <cstring>
#include <string_view>
#include <utility>

#include "exporter/stats/names.h"
#include "exporter/stats/prefix.h"

namespace pping {
namespace {

constexpr double kNsPerSecond = 1e9;
constexpr size_t kMaxNumber = 20;  // digits of a uint64
// An `le` text ("0.000032", "33.554432", "+Inf"), `"} `, a count and '\n'.
constexpr size_t kMaxLeAndValue = 16 + 3 + kMaxNumber + 1;

char* Copy(char* at, std::string_view text) {
  std::memcpy(at, text.data(), text.size());
  return at + text.size();
}

template <typename Number>
void AppendNumber(TextBuffer& out, Number v) {
  constexpr size_t kRoom = 32;  // a uint64 or a shortest-form double
  char* at = out.Reserve(kRoom);
  out.Commit(std::to_chars(at, at + kRoom, v).ptr);
}

void AppendHeader(TextBuffer& out, const char* name, const char* help, const char* type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// One sample line: name{labels[,extra]} value. Label values here are CIDR
// prefixes and fixed words, never characters that need escaping.
template <typename Number>
void AppendSample(TextBuffer& out, const char* name, const std::string& labels, const char* extra, Number v) {
  out.append(name).append("{").append(labels);
  if (extra[0] != '\0') out.append(",").append(extra);
  out.append("} ");
  AppendNumber(out, v);
  out.push_back('\n');
}

// The RTT families' labels beyond prefix and protocol; the DNS family's.
std::string RttLabels(const PrefixKey& key) {
  if (key.method == PP_METHOD_DNS) {
    return std::string("matched_on=\"") + HookName(key.matched_on) + "\",rcode=\"" + DnsRcodeName(key.rcode) + "\"";
  }
  return std::string("matched_on=\"") + HookName(key.matched_on) + "\",method=\"" +
         RttMethodName(key.proto_class, key.method) + "\"";
}

constexpr const char* kRetransmits = "pping_prefix_retransmits_total";
constexpr const char* kSpurious = "pping_prefix_spurious_retransmits_total";

constexpr PrefixExposition::HistogramNames kRttFamily{"pping_rtt_seconds", "pping_rtt_seconds_bucket",
                                                      "pping_rtt_seconds_sum", "pping_rtt_seconds_count"};
constexpr PrefixExposition::HistogramNames kDnsFamily{"pping_dns_response_seconds", "pping_dns_response_seconds_bucket",
                                                      "pping_dns_response_seconds_sum",
                                                      "pping_dns_response_seconds_count"};

// A label value as the text format wants it: \\, \" and \n escaped. An
// interface name may hold any of them.
std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

PrefixExposition::PrefixExposition(RttBucketLayout layout, bool retransmits, InterfaceNames interface_names)
    : layout_(std::move(layout)), interface_names_(std::move(interface_names)) {
  using enum PrefixFamily;
  families_ = {kRtt, kRttMin, kRttMax, kPackets, kBytes};
  if (retransmits) families_.insert(families_.end(), {kRetransmits, kSpurious});
  families_.push_back(kDns);
}

void PrefixExposition::Header(PrefixFamily family, TextBuffer& out) {
  switch (family) {
    case PrefixFamily::kRtt:
      return AppendHeader(out, kRttFamily.name, "Round-trip times observed towards each remote prefix.", "histogram");
    case PrefixFamily::kRttMin:
      return AppendHeader(out, "pping_rtt_min_seconds", "Smallest RTT of the latest aggregation interval with samples.",
                          "gauge");
    case PrefixFamily::kRttMax:
      return AppendHeader(out, "pping_rtt_max_seconds", "Largest RTT of the latest aggregation interval with samples.",
                          "gauge");
    case PrefixFamily::kPackets:
      return AppendHeader(out, "pping_prefix_packets_total",
                          "Packets received from (rx) and sent to (tx) each remote prefix.", "counter");
    case PrefixFamily::kBytes:
      return AppendHeader(out, "pping_prefix_bytes_total",
                          "Bytes received from (rx) and sent to (tx) each remote prefix.", "counter");
    case PrefixFamily::kRetransmits:
      return AppendHeader(
          out, kRetransmits,
          "TCP segments the prefix sent again (rx) and that were sent to it again (tx), as seen at the hook.",
          "counter");
    case PrefixFamily::kSpurious:
      return AppendHeader(
          out, kSpurious,
          "Retransmissions sent to the prefix that the ACK after them showed needless (Eifel, TCP timestamps).",
          "counter");
    case PrefixFamily::kDns:
      return AppendHeader(out, kDnsFamily.name,
                          "Response times of DNS queries to each remote prefix, by response code.", "histogram");
  }
}

size_t PrefixExposition::KeepLabelsFor(size_t slots) {
  if (labels_.size() <= slots) return 0;
  const size_t dropped = labels_.size() - slots;
  labels_.resize(slots);
  labels_.shrink_to_fit();
  return dropped;
}

const PrefixExposition::Labels& PrefixExposition::LabelsOf(uint32_t slot, const PrefixKey& key, bool with_rtt) {
  if (slot >= labels_.size()) labels_.resize(slot + 1);
  Labels& l = labels_[slot];
  if (l.prefix.empty() || l.key != key) {
    l = Labels{};
    l.key = key;
    l.prefix = "prefix=\"" + PrefixText(key.prefix, key.prefix_len) + "\",protocol=\"" +
               ProtocolLabel(key.proto_class, key.method) + "\"";
    if (key.ifindex != 0) {
      // An interface gone for good keeps its series until they expire, by
      // the name it had; one never known is named by its index.
      std::string name = interface_names_ ? interface_names_(key.ifindex) : "";
      if (name.empty()) name = "ifindex" + std::to_string(key.ifindex);
      l.prefix += ",interface=\"" + EscapeLabelValue(name) + "\"";
    }
  }
  // Only prefixes with RTTs get the histogram's labels: most of a flood of
  // spoofed sources never does.
  if (with_rtt && l.rtt.empty()) {
    l.rtt = l.prefix + "," + RttLabels(key);
    l.family = key.method == PP_METHOD_DNS ? &kDnsFamily : &kRttFamily;
    l.bucket_head = std::string(l.family->bucket) + "{" + l.rtt + ",le=\"";
  }
  return l;
}

void PrefixExposition::Add(PrefixFamily family, TextBuffer& out, uint32_t slot, const PrefixKey& key,
                           const PrefixStats& total, const RttRange& last_rtt) {
  // Traffic is counted under the ingress-matched identifier key only.
  const bool traffic = key.matched_on == PP_DIR_INGRESS && key.method == PP_METHOD_IDENTIFIER;
  const bool rtt = total.rtt_count > 0;
  const bool dns = key.method == PP_METHOD_DNS;
  switch (family) {
    case PrefixFamily::kRtt:
      if (rtt && !dns) AddHistogram(out, LabelsOf(slot, key, true), total);
      return;
    case PrefixFamily::kDns:
      if (rtt && dns) AddHistogram(out, LabelsOf(slot, key, true), total);
      return;
    case PrefixFamily::kRttMin:
      if (rtt && !dns) {
        AppendSample(out, "pping_rtt_min_seconds", LabelsOf(slot, key, true).rtt, "",
                     static_cast<double>(last_rtt.min_ns) / kNsPerSecond);
      }
      return;
    case PrefixFamily::kRttMax:
      if (rtt && !dns) {
        AppendSample(out, "pping_rtt_max_seconds", LabelsOf(slot, key, true).rtt, "",
                     static_cast<double>(last_rtt.max_ns) / kNsPerSecond);
      }
      return;
    case PrefixFamily::kPackets:
      if (traffic) {
        const std::string& labels = LabelsOf(slot, key, false).prefix;
        AppendSample(out, "pping_prefix_packets_total", labels, "direction=\"rx\"", total.rx_packets);
        AppendSample(out, "pping_prefix_packets_total", labels, "direction=\"tx\"", total.tx_packets);
      }
      return;
    case PrefixFamily::kBytes:
      if (traffic) {
        const std::string& labels = LabelsOf(slot, key, false).prefix;
        AppendSample(out, "pping_prefix_bytes_total", labels, "direction=\"rx\"", total.rx_bytes);
        AppendSample(out, "pping_prefix_bytes_total", labels, "direction=\"tx\"", total.tx_bytes);
      }
      return;
    case PrefixFamily::kRetransmits:
      if (traffic && key.proto_class == PP_PROTO_TCP) {
        const std::string& labels = LabelsOf(slot, key, false).prefix;
        AppendSample(out, kRetransmits, labels, "direction=\"rx\"", total.rx_retransmits);
        AppendSample(out, kRetransmits, labels, "direction=\"tx\"", total.tx_retransmits);
      }
      return;
    case PrefixFamily::kSpurious:
      if (traffic && key.proto_class == PP_PROTO_TCP) {
        AppendSample(out, kSpurious, LabelsOf(slot, key, false).prefix, "direction=\"tx\"",
                     total.tx_spurious_retransmits);
      }
      return;
  }
}

void PrefixExposition::AddHistogram(TextBuffer& out, const Labels& labels, const PrefixStats& total) {
  layout_.Cumulate(total.rtt_buckets, cumulative_);
  const auto& le = layout_.le_texts();
  const std::string& head = labels.bucket_head;
  // The hot loop of a big scrape (every bucket line of every prefix): room
  // for all lines at once, then plain copies of the pieces of each line.
  char* at = out.Reserve(cumulative_.size() * (head.size() + kMaxLeAndValue));
  for (size_t i = 0; i < cumulative_.size(); ++i) {
    at = Copy(at, head);
    at = Copy(at, i < le.size() ? std::string_view(le[i]) : std::string_view("+Inf"));
    at = Copy(at, "\"} ");
    at = std::to_chars(at, at + kMaxNumber, cumulative_[i]).ptr;
    *at++ = '\n';
  }
  out.Commit(at);
  AppendSample(out, labels.family->sum, labels.rtt, "", static_cast<double>(total.rtt_sum_ns) / kNsPerSecond);
  AppendSample(out, labels.family->count, labels.rtt, "", total.rtt_count);
}

}  // namespace pping
