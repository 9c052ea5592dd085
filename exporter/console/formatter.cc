// SPDX-License-Identifier: Apache-2.0
#include "exporter/console/formatter.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "exporter/console/json_array.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string Endpoint(const Address16& addr, uint16_t port) {
  const std::string text = AddressText(addr);
  return (IsMappedIpv4(addr) ? text : "[" + text + "]") + ":" + std::to_string(port);
}

std::string Milliseconds(std::chrono::nanoseconds d) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f ms", static_cast<double>(d.count()) / 1e6);
  return text;
}

std::string Seconds(std::chrono::nanoseconds d) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6f", static_cast<double>(d.count()) / 1e9);
  return text;
}

// ePPing's line has no method: only those it does not measure are marked.
std::string MethodNote(const RttEvent& e) {
  switch (e.method) {
    case PP_METHOD_SEQ_ACK: return " (seq/ack)";
    case PP_METHOD_DNS: return " (dns)";
    case PP_METHOD_SPIN: return " (spin)";
    default: return "";
  }
}

class StandardFormatter : public EventFormatter {
 public:
  std::string Format(const Event& event) override {
    return std::visit(
        Overloaded{[](const RttEvent& e) {
                     return ClockTime(e.time) + " " + Milliseconds(e.rtt) + " " + Milliseconds(e.min_rtt) + " " +
                            ProtocolName(e.flow.ip_proto) + " " + FlowText(e.flow) +
                            (e.match_on_egress ? " (local)" : "") + MethodNote(e) + "\n";
                   },
                   [](const FlowEvent& e) {
                     return ClockTime(e.time) + " " + ProtocolName(e.flow.ip_proto) + " " + FlowText(e.flow) +
                            (e.opening ? " opening" : " closing") + " due to " + FlowChangeName(e.reason) +
                            (e.triggered_by == Trigger::kNone ? std::string()
                                                              : std::string(" from ") + TriggerName(e.triggered_by)) +
                            "\n";
                   }},
        event);
  }
};

// pping's machine-readable line, which ppviz reads: TCP RTTs only.
class PpvizFormatter : public EventFormatter {
 public:
  std::string Format(const Event& event) override {
    const auto* e = std::get_if<RttEvent>(&event);
    if (!e) return "";
    if (e->flow.ip_proto != IPPROTO_TCP) {
      if (!warned_) spdlog::warn("ppviz format only shows TCP; RTTs of other protocols are left out");
      warned_ = true;
      return "";
    }
    const int64_t ns = UnixNanoseconds(e->time);
    char stamp[40];
    std::snprintf(stamp, sizeof(stamp), "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                  static_cast<long long>(ns % 1'000'000'000));
    return std::string(stamp) + " " + Seconds(e->rtt) + " " + Seconds(e->min_rtt) + " " +
           std::to_string(e->sent_packets) + " " + std::to_string(e->sent_bytes) + " " +
           std::to_string(e->rec_packets) + " " + std::to_string(e->rec_bytes) + " " + FlowText(e->flow) + "\n";
  }

 private:
  bool warned_ = false;
};

nlohmann::ordered_json FlowJson(std::chrono::system_clock::time_point time, const EventFlow& f) {
  return {{"timestamp", UnixNanoseconds(time)}, {"src_ip", AddressText(f.src)}, {"src_port", f.src_port},
          {"dest_ip", AddressText(f.dst)},      {"dest_port", f.dst_port},      {"protocol", ProtocolName(f.ip_proto)}};
}

nlohmann::ordered_json ToJson(const Event& event) {
  return std::visit(Overloaded{[](const RttEvent& e) {
                                 auto j = FlowJson(e.time, e.flow);
                                 j["rtt"] = e.rtt.count();
                                 j["min_rtt"] = e.min_rtt.count();
                                 j["sent_packets"] = e.sent_packets;
                                 j["sent_bytes"] = e.sent_bytes;
                                 j["rec_packets"] = e.rec_packets;
                                 j["rec_bytes"] = e.rec_bytes;
                                 j["match_on_egress"] = e.match_on_egress;
                                 j["method"] = MethodName(e);
                                 return j;
                               },
                               [](const FlowEvent& e) {
                                 auto j = FlowJson(e.time, e.flow);
                                 j["flow_event"] = e.opening ? "opening" : "closing";
                                 j["reason"] = FlowChangeName(e.reason);
                                 j["triggered_by"] = TriggerName(e.triggered_by);
                                 return j;
                               }},
                    event);
}

class JsonLinesFormatter : public EventFormatter {
 public:
  std::string Format(const Event& event) override { return ToJson(event).dump() + "\n"; }
};

// One JSON array of all events.
class JsonArrayFormatter : public EventFormatter {
 public:
  std::string Begin() override { return framing_.Begin(); }
  std::string End() override { return framing_.End(); }
  std::string Format(const Event& event) override { return framing_.Element(ToJson(event)); }

 private:
  JsonArrayFraming framing_;
};

}  // namespace

std::unique_ptr<EventFormatter> MakeEventFormatter(OutputFormat format) {
  switch (format) {
    case OutputFormat::kStandard: return std::make_unique<StandardFormatter>();
    case OutputFormat::kPpviz: return std::make_unique<PpvizFormatter>();
    case OutputFormat::kJson: return std::make_unique<JsonArrayFormatter>();
    case OutputFormat::kJsonl: return std::make_unique<JsonLinesFormatter>();
  }
  return std::make_unique<StandardFormatter>();
}

std::string ClockTime(std::chrono::system_clock::time_point t) {
  const int64_t ns = UnixNanoseconds(t);
  const time_t seconds = static_cast<time_t>(ns / 1'000'000'000);
  tm local{};
  localtime_r(&seconds, &local);
  char text[40];
  std::snprintf(text, sizeof(text), "%02d:%02d:%02d.%09lld", local.tm_hour, local.tm_min, local.tm_sec,
                static_cast<long long>(ns % 1'000'000'000));
  return text;
}

int64_t UnixNanoseconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string FlowText(const EventFlow& flow) {
  return Endpoint(flow.src, flow.src_port) + "+" + Endpoint(flow.dst, flow.dst_port);
}

}  // namespace pping
