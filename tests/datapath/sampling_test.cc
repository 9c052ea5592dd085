// SPDX-License-Identifier: Apache-2.0
// Sampling through the real programs: the new-identifier rule, the fixed
// and RTT-relative rate limits, and the burst after a sample.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

using std::chrono::milliseconds;

TEST_F(DatapathTest, RateLimitSkipsNewIdentifiersUntilItExpires) {
  DatapathOptions options = UnsampledOptions();
  options.sampling.rate_limit = milliseconds(50);
  Load(options);
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));  // sampled
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));  // new but too soon
  Ingress(BuildTcp(In4(kAck, 90, 1)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  Ingress(BuildTcp(In4(kAck, 91, 2)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  Age(milliseconds(60));
  Egress(BuildTcp(Out4(kAck | kPsh, 3, 9, 100)));  // due again
  Ingress(BuildTcp(In4(kAck, 92, 3)));
  EXPECT_EQ(Tcp4().rtt_count, 2u);
  EXPECT_EQ(Counters().stamps_rate_limited, 1u);
}

TEST_F(DatapathTest, RateLimitIgnoresRepeatsOfTheSameIdentifier) {
  DatapathOptions options = UnsampledOptions();
  options.sampling.rate_limit = milliseconds(20);
  Load(options);
  Egress(BuildTcp(Out4(kAck | kPsh, 5, 9, 100)));
  Age(milliseconds(30));
  // Due by time, but TSval 5 is not new: only the next new one is stamped,
  // so the sample never starts in the middle of a TSval tick.
  Egress(BuildTcp(Out4(kAck | kPsh, 5, 9, 100)));
  Ingress(BuildTcp(In4(kAck, 90, 5)));
  EXPECT_GE(Tcp4().rtt_min_ns, 30'000'000u);
  EXPECT_EQ(Counters().stamps_rate_limited, 0u);
}

TEST_F(DatapathTest, RttRateScalesTheLimitWithTheFlowRtt) {
  DatapathOptions options = UnsampledOptions();
  options.sampling.rate_limit = milliseconds(10'000);  // would block everything
  options.sampling.rtt_rate = 1.0;
  Load(options);
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));  // first stamp: no RTT yet
  Age(milliseconds(20));
  Ingress(BuildTcp(In4(kAck, 90, 1)));             // RTT ~20 ms
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));  // 1 x RTT after the stamp: due
  Egress(BuildTcp(Out4(kAck | kPsh, 3, 9, 100)));  // right after: limited
  Ingress(BuildTcp(In4(kAck, 91, 3)));
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  Age(milliseconds(40));
  Egress(BuildTcp(Out4(kAck | kPsh, 4, 9, 100)));  // > 1 x RTT later: due
  Ingress(BuildTcp(In4(kAck, 92, 4)));
  EXPECT_EQ(Tcp4().rtt_count, 2u);
  EXPECT_EQ(Counters().stamps_rate_limited, 1u);
}

TEST_F(DatapathTest, BurstStampsAFewMoreIdentifiersRightAfterASample) {
  DatapathOptions options = UnsampledOptions();
  options.sampling.rate_limit = milliseconds(10'000);
  options.sampling.burst_count = 2;
  options.sampling.burst_window = milliseconds(500);
  Load(options);
  for (uint32_t tsval = 1; tsval <= 4; ++tsval) Egress(BuildTcp(Out4(kAck | kPsh, tsval, 9, 100)));
  // A delayed ACK echoes 2 (the older of 2 and 3): the burst catches it.
  Ingress(BuildTcp(In4(kAck, 90, 2)));
  Ingress(BuildTcp(In4(kAck, 91, 4)));  // beyond the burst: not stamped
  const GlobalCounters c = Counters();
  EXPECT_EQ(Tcp4().rtt_count, 1u);
  EXPECT_EQ(c.stamps_burst, 2u);
  EXPECT_EQ(c.stamps_rate_limited, 1u);
}

TEST_F(DatapathTest, BurstEndsWithItsWindow) {
  DatapathOptions options = UnsampledOptions();
  options.sampling.rate_limit = milliseconds(10'000);
  options.sampling.burst_count = 3;
  options.sampling.burst_window = milliseconds(10);
  Load(options);
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  Age(milliseconds(20));
  Egress(BuildTcp(Out4(kAck | kPsh, 2, 9, 100)));
  Ingress(BuildTcp(In4(kAck, 90, 2)));
  EXPECT_EQ(Tcp4().rtt_count, 0u);
  EXPECT_EQ(Counters().stamps_burst, 0u);
}

TEST_F(DatapathTest, IcmpSequenceZeroIsANewIdentifier) {
  Egress(BuildEcho(kLocal4, kRemote4, true, 4, 0));
  Ingress(BuildEcho(kRemote4, kLocal4, false, 4, 0));
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).rtt_count, 1u);
}

}  // namespace
}  // namespace pping::testing
