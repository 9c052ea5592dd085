// SPDX-License-Identifier: Apache-2.0
// The bucket math the datapath and the exporter share, in both directions.
#include <gtest/gtest.h>

#include "bpf/abi/rtt_histogram.h"

namespace pping {
namespace {

TEST(RttHistogram, SmallValuesGetOneMicrosecondBuckets) {
  for (uint64_t us = 0; us < PP_HIST_LINEAR_BUCKETS; ++us) {
    EXPECT_EQ(pp_hist_bucket(us), us);
    EXPECT_EQ(pp_hist_upper_bound_us(us), us + 1);
  }
}

TEST(RttHistogram, EveryValueLandsInTheBucketWhoseBoundsHoldIt) {
  for (uint64_t us = 0; us < (1ull << 25); us = us * 9 / 8 + 1) {
    const uint32_t b = pp_hist_bucket(us);
    ASSERT_LT(b, PP_HIST_BUCKETS - 1) << us;
    const uint64_t lower = b == 0 ? 0 : pp_hist_upper_bound_us(b - 1);
    EXPECT_LE(lower, us) << "bucket " << b;
    EXPECT_LT(us, pp_hist_upper_bound_us(b)) << "bucket " << b;
  }
}

TEST(RttHistogram, BoundariesMapToTheNextBucket) {
  for (uint32_t b = 0; b + 2 < PP_HIST_BUCKETS; ++b) {
    const uint64_t bound = pp_hist_upper_bound_us(b);
    EXPECT_EQ(pp_hist_bucket(bound - 1), b);
    EXPECT_EQ(pp_hist_bucket(bound), b + 1);
  }
}

TEST(RttHistogram, BucketsAreAtMostAnEighthWideFromTenMicroseconds) {
  for (uint32_t b = 10; b + 1 < PP_HIST_BUCKETS; ++b) {
    const double lower = static_cast<double>(pp_hist_upper_bound_us(b - 1));
    const double upper = static_cast<double>(pp_hist_upper_bound_us(b));
    EXPECT_LE((upper - lower) / lower, 0.125 + 1e-12) << "bucket " << b;
  }
}

TEST(RttHistogram, CoversThirtySecondsAndOverflowsBeyondTheRange) {
  EXPECT_LT(pp_hist_bucket(30'000'000), PP_HIST_BUCKETS - 1);
  EXPECT_GE(pp_hist_upper_bound_us(PP_HIST_BUCKETS - 2), 30'000'000u);
  EXPECT_EQ(pp_hist_bucket(1ull << 25), PP_HIST_BUCKETS - 1);
  EXPECT_EQ(pp_hist_bucket(~0ull), PP_HIST_BUCKETS - 1);
  EXPECT_EQ(pp_hist_upper_bound_us(PP_HIST_BUCKETS - 1), 0u);
}

}  // namespace
}  // namespace pping
