// SPDX-License-Identifier: Apache-2.0
// Golden output of every event format from fixed events.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "exporter/console/formatter.h"
#include "exporter/console/golden.h"

namespace pping {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const auto kTime = testing::kGoldenTime;

EventFlow Flow(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t proto) {
  return {ParseAddress(src), sport, ParseAddress(dst), dport, proto};
}

std::vector<Event> SampleEvents() {
  return {
      FlowEvent{kTime, Flow("192.0.2.1", 40000, "192.0.2.2", 80, IPPROTO_TCP), true, FlowChange::kSynAck,
                Trigger::kDestination},
      RttEvent{kTime + milliseconds(5), Flow("192.0.2.1", 40000, "192.0.2.2", 80, IPPROTO_TCP), milliseconds(20),
               nanoseconds(19'876'543), 12, 15000, 10, 600, false},
      RttEvent{kTime + milliseconds(6), Flow("2001:db8:1::2", 7, "2001:db8:1::1", 7, IPPROTO_ICMPV6),
               nanoseconds(1'234'567), nanoseconds(1'000'000), 3, 192, 3, 192, true},
      RttEvent{kTime + milliseconds(6), Flow("192.0.2.1", 40001, "192.0.2.3", 443, IPPROTO_TCP), milliseconds(31),
               milliseconds(30), 0, 0, 0, 0, false, PP_METHOD_SEQ_ACK},
      FlowEvent{kTime + milliseconds(7), Flow("192.0.2.1", 40000, "192.0.2.2", 80, IPPROTO_TCP), false,
                FlowChange::kFin, Trigger::kSource},
      FlowEvent{kTime + milliseconds(8), Flow("192.0.2.1", 9, "192.0.2.2", 9, IPPROTO_ICMP), false,
                FlowChange::kTimeout, Trigger::kNone},
  };
}

std::string Render(OutputFormat format) {
  auto formatter = MakeEventFormatter(format);
  std::string out = formatter->Begin();
  for (const auto& e : SampleEvents()) out += formatter->Format(e);
  return out + formatter->End();
}

class Formats : public testing::InUtc {};

TEST_F(Formats, Standard) { testing::ExpectGolden("events.standard", Render(OutputFormat::kStandard)); }
TEST_F(Formats, Ppviz) { testing::ExpectGolden("events.ppviz", Render(OutputFormat::kPpviz)); }
TEST_F(Formats, Json) { testing::ExpectGolden("events.json", Render(OutputFormat::kJson)); }
TEST_F(Formats, JsonLines) { testing::ExpectGolden("events.jsonl", Render(OutputFormat::kJsonl)); }

TEST_F(Formats, PpvizShowsTcpRttsOnly) {
  const std::string out = Render(OutputFormat::kPpviz);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;  // both TCP RTTs, whatever their method
  EXPECT_NE(out.find("1795694400.128456789 0.020000 0.019877 12 15000 10 600 192.0.2.1:40000+192.0.2.2:80"),
            std::string::npos)
      << out;
}

TEST_F(Formats, EmptyJsonArrayIsValid) {
  auto formatter = MakeEventFormatter(OutputFormat::kJson);
  std::string out = formatter->Begin();
  out += formatter->End();
  EXPECT_EQ(out, "[]\n");
}

TEST_F(Formats, JsonOutputsParse) {
  EXPECT_EQ(nlohmann::json::parse(Render(OutputFormat::kJson)).size(), 6u);
  std::istringstream lines(Render(OutputFormat::kJsonl));
  int parsed = 0;
  for (std::string line; std::getline(lines, line); ++parsed) EXPECT_TRUE(nlohmann::json::parse(line).is_object());
  EXPECT_EQ(parsed, 6);
}

TEST_F(Formats, NamesOfTheFormats) {
  EXPECT_STREQ(OutputFormatName(OutputFormat::kStandard), "standard");
  EXPECT_STREQ(OutputFormatName(OutputFormat::kPpviz), "ppviz");
  EXPECT_STREQ(OutputFormatName(OutputFormat::kJson), "json");
  EXPECT_STREQ(OutputFormatName(OutputFormat::kJsonl), "jsonl");
}

}  // namespace
}  // namespace pping
