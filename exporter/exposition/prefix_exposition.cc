// SPDX-License-Identifier: Apache-2.0
#include "exporter/exposition/prefix_exposition.h"

#include <charconv>
#include <cstring>
#include <string_view>

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

}  // namespace

void PrefixExposition::Begin(TextBuffer& out) {
  out_ = &out;
  for (TextBuffer* side : {&min_, &max_, &packets_, &bytes_, &dns_, &retransmits_text_, &spurious_text_}) side->clear();
  AppendHeader(out, kRttFamily.name, "Round-trip times observed towards each remote prefix.", "histogram");
}

size_t PrefixExposition::KeepLabelsFor(size_t slots) {
  if (labels_.size() <= slots) return 0;
  const size_t dropped = labels_.size() - slots;
  labels_.resize(slots);
  labels_.shrink_to_fit();
  return dropped;
}

const PrefixExposition::Labels& PrefixExposition::LabelsOf(uint32_t slot, const PrefixKey& key) {
  if (slot >= labels_.size()) labels_.resize(slot + 1);
  Labels& l = labels_[slot];
  if (l.prefix.empty() || l.key != key) {
    l.key = key;
    l.prefix = "prefix=\"" + PrefixText(key.prefix, key.prefix_len) + "\",protocol=\"" +
               ProtocolLabel(key.proto_class, key.method) + "\"";
    l.rtt = l.prefix + "," + RttLabels(key);
    l.family = key.method == PP_METHOD_DNS ? &kDnsFamily : &kRttFamily;
    l.bucket_head = std::string(l.family->bucket) + "{" + l.rtt + ",le=\"";
  }
  return l;
}

void PrefixExposition::Add(uint32_t slot, const PrefixKey& key, const PrefixStats& total, const RttRange& last_rtt) {
  const Labels& l = LabelsOf(slot, key);
  const std::string& labels = l.prefix;
  // Traffic is counted under the ingress-matched identifier key only.
  if (key.matched_on == PP_DIR_INGRESS && key.method == PP_METHOD_IDENTIFIER) {
    AppendSample(packets_, "pping_prefix_packets_total", labels, "direction=\"rx\"", total.rx_packets);
    AppendSample(packets_, "pping_prefix_packets_total", labels, "direction=\"tx\"", total.tx_packets);
    AppendSample(bytes_, "pping_prefix_bytes_total", labels, "direction=\"rx\"", total.rx_bytes);
    AppendSample(bytes_, "pping_prefix_bytes_total", labels, "direction=\"tx\"", total.tx_bytes);
    if (retransmits_ && key.proto_class == PP_PROTO_TCP) {
      AppendSample(retransmits_text_, kRetransmits, labels, "direction=\"rx\"", total.rx_retransmits);
      AppendSample(retransmits_text_, kRetransmits, labels, "direction=\"tx\"", total.tx_retransmits);
      AppendSample(spurious_text_, kSpurious, labels, "direction=\"tx\"", total.tx_spurious_retransmits);
    }
  }
  if (total.rtt_count == 0) return;
  if (key.method == PP_METHOD_DNS) {
    AddHistogram(dns_, l, total);  // a family of its own, written out at Finish()
    return;
  }
  const std::string& rtt_labels = l.rtt;
  AddHistogram(*out_, l, total);
  AppendSample(min_, "pping_rtt_min_seconds", rtt_labels, "", static_cast<double>(last_rtt.min_ns) / kNsPerSecond);
  AppendSample(max_, "pping_rtt_max_seconds", rtt_labels, "", static_cast<double>(last_rtt.max_ns) / kNsPerSecond);
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

void PrefixExposition::Finish() {
  TextBuffer& out = *out_;
  AppendHeader(out, "pping_rtt_min_seconds", "Smallest RTT of the latest aggregation interval with samples.", "gauge");
  out += min_.view();
  AppendHeader(out, "pping_rtt_max_seconds", "Largest RTT of the latest aggregation interval with samples.", "gauge");
  out += max_.view();
  AppendHeader(out, "pping_prefix_packets_total", "Packets received from (rx) and sent to (tx) each remote prefix.",
               "counter");
  out += packets_.view();
  AppendHeader(out, "pping_prefix_bytes_total", "Bytes received from (rx) and sent to (tx) each remote prefix.",
               "counter");
  out += bytes_.view();
  if (retransmits_) {
    AppendHeader(out, kRetransmits,
                 "TCP segments the prefix sent again (rx) and that were sent to it again (tx), as seen at the hook.",
                 "counter");
    out += retransmits_text_.view();
    AppendHeader(out, kSpurious,
                 "Retransmissions sent to the prefix that the ACK after them showed needless (Eifel, TCP timestamps).",
                 "counter");
    out += spurious_text_.view();
  }
  AppendHeader(out, kDnsFamily.name, "Response times of DNS queries to each remote prefix, by response code.",
               "histogram");
  out += dns_.view();
  out_ = nullptr;
}

}  // namespace pping
