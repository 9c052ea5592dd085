// SPDX-License-Identifier: Apache-2.0
// The .rodata the datapath is loaded with, built from its options.
#include <gtest/gtest.h>

#include "exporter/kernel/datapath.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

using namespace std::chrono_literals;

TEST(DatapathConfig, MasksKeepTheMappedMarkerForIpv4) {
  const pp_config c = MakeDatapathConfig({.ipv4_prefix_len = 24, .ipv6_prefix_len = 48});
  const auto* v4 = reinterpret_cast<const uint8_t*>(c.ipv4_mask);
  EXPECT_EQ(v4[11], 0xff);
  EXPECT_EQ(v4[14], 0xff);
  EXPECT_EQ(v4[15], 0x00);
  EXPECT_EQ(c.ipv4_prefix_len, 120);
  EXPECT_EQ(c.ipv6_prefix_len, 48);
  const auto* v6 = reinterpret_cast<const uint8_t*>(c.ipv6_mask);
  EXPECT_EQ(v6[5], 0xff);
  EXPECT_EQ(v6[6], 0x00);
}

TEST(DatapathConfig, RejectsOutOfRangeLengths) {
  EXPECT_THROW(MakeDatapathConfig({.ipv4_prefix_len = 33}), UsageError);
  EXPECT_THROW(MakeDatapathConfig({.ipv6_prefix_len = 129}), UsageError);
}

TEST(DatapathConfig, CarriesSamplingInNanosecondsAndRateInThousandths) {
  DatapathOptions options;
  options.sampling = {
      .rate_limit = 100ms, .rtt_rate = 0.25, .use_smoothed_rtt = true, .burst_count = 3, .burst_window = 5ms};
  options.include_local = true;
  options.emit_events = true;
  const pp_config c = MakeDatapathConfig(options);
  EXPECT_EQ(c.rate_limit_ns, 100'000'000u);
  EXPECT_EQ(c.rtt_rate_milli, 250u);
  EXPECT_TRUE(c.use_srtt);
  EXPECT_EQ(c.burst_count, 3);
  EXPECT_EQ(c.burst_window_ns, 5'000'000u);
  EXPECT_TRUE(c.include_local);
  EXPECT_FALSE(c.include_syn);
  EXPECT_TRUE(c.emit_events);
}

}  // namespace
}  // namespace pping
