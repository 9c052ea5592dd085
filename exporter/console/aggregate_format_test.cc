// SPDX-License-Identifier: Apache-2.0
// Golden output of the aggregated view in each of its formats.
#include "exporter/console/aggregate_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bpf/abi/rtt_histogram.h"
#include "exporter/console/golden.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

using testing::ExpectGolden;
using testing::kGoldenTime;

std::string RenderAggregate(OutputFormat format) {
  PrefixStats w;
  w.rx_packets = 40;
  w.rx_bytes = 6000;
  w.tx_packets = 42;
  w.tx_bytes = 6300;
  for (uint64_t us : {20'100, 20'200, 20'300, 25'000}) {
    w.rtt_buckets[pp_hist_bucket(us)]++;
    w.rtt_sum_ns += us * 1000;
  }
  w.rtt_count = 4;
  w.rtt_min_ns = 20'100'000;
  w.rtt_max_ns = 25'000'000;
  PrefixStats quiet;
  quiet.tx_packets = 1;
  quiet.tx_bytes = 60;
  auto formatter = MakeAggregateFormatter(format);
  // One call per statement: the formatter keeps state between calls.
  std::string out = formatter->Begin();
  PrefixStats lossy = w;  // traffic keys carry the retransmissions
  lossy.rx_retransmits = 3;
  lossy.tx_retransmits = 2;
  lossy.tx_spurious_retransmits = 1;
  out += formatter->Format({kGoldenTime, {ParseAddress("192.0.2.0"), 120, PP_PROTO_TCP, PP_DIR_INGRESS}, lossy});
  out += formatter->Format(
      {kGoldenTime, {ParseAddress("192.0.2.0"), 120, PP_PROTO_TCP, PP_DIR_INGRESS, PP_METHOD_SEQ_ACK}, w});
  out += formatter->Format({kGoldenTime, {ParseAddress("2001:db8::"), 48, PP_PROTO_UDP, PP_DIR_INGRESS}, quiet});
  return out + formatter->End();
}

class AggregateFormats : public testing::InUtc {};

TEST_F(AggregateFormats, Standard) { ExpectGolden("aggregate.standard", RenderAggregate(OutputFormat::kStandard)); }
TEST_F(AggregateFormats, Json) { ExpectGolden("aggregate.json", RenderAggregate(OutputFormat::kJson)); }
TEST_F(AggregateFormats, JsonLines) { ExpectGolden("aggregate.jsonl", RenderAggregate(OutputFormat::kJsonl)); }

TEST_F(AggregateFormats, JsonParses) {
  EXPECT_EQ(nlohmann::json::parse(RenderAggregate(OutputFormat::kJson)).size(), 3u);
}

TEST_F(AggregateFormats, PpvizHasNoAggregatedForm) {
  EXPECT_THROW(MakeAggregateFormatter(OutputFormat::kPpviz), UsageError);
}

}  // namespace
}  // namespace pping
