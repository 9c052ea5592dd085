// SPDX-License-Identifier: Apache-2.0
// The exported bucket layout: bounds on the kernel's edges, exact folding.
#include "exporter/exposition/rtt_buckets.h"

#include <gtest/gtest.h>

#include <random>

#include "bpf/abi/rtt_histogram.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

TEST(RttBuckets, DefaultIsTwoPerOctaveFrom32MicrosecondsTo8Seconds) {
  const RttBucketLayout layout(RttBucketOptions{});
  const auto& bounds = layout.bounds_us();
  ASSERT_EQ(bounds.size(), 37u);
  EXPECT_EQ(bounds.front(), 32u);
  EXPECT_EQ(bounds[1], 48u);
  EXPECT_EQ(bounds[2], 64u);
  EXPECT_EQ(bounds.back(), 8'388'608u);
  EXPECT_EQ(layout.le_texts().front(), "0.000032");
  EXPECT_EQ(layout.le_texts().back(), "8.388608");
  for (size_t i = 1; i < bounds.size(); ++i) {
    EXPECT_LE(bounds[i], bounds[i - 1] * 3 / 2) << "no exported bucket is wider than half an octave";
  }
}

TEST(RttBuckets, EightPerOctaveOverTheWholeRangeIsTheKernelLayout) {
  const RttBucketLayout layout({8, 1e-6, 33.6});
  ASSERT_EQ(layout.bounds_us().size(), PP_HIST_BUCKETS - 1u);
  for (uint32_t b = 0; b + 1 < PP_HIST_BUCKETS; ++b) EXPECT_EQ(layout.bounds_us()[b], pp_hist_upper_bound_us(b));
}

TEST(RttBuckets, EveryBoundIsAKernelEdge) {
  for (unsigned per_octave : {1u, 2u, 4u, 8u}) {
    const RttBucketLayout layout({per_octave, 1e-6, 33.6});
    for (uint64_t bound : layout.bounds_us()) {
      EXPECT_EQ(pp_hist_upper_bound_us(pp_hist_bucket(bound - 1)), bound) << per_octave << " per octave";
    }
  }
  EXPECT_EQ(RttBucketLayout({1, 1e-6, 33.6}).bounds_us().size(), 26u) << "1 us, 2 us, ... 2^25 us";
}

TEST(RttBuckets, CumulativeCountsAreExactSumsOfKernelBuckets) {
  std::mt19937_64 random(7);
  std::array<uint64_t, PP_HIST_BUCKETS> kernel{};
  for (auto& count : kernel) count = random() % 1000;
  for (unsigned per_octave : {1u, 2u, 4u, 8u}) {
    const RttBucketLayout layout({per_octave, 100e-6, 2.0});
    std::vector<uint64_t> cumulative;
    layout.Cumulate(kernel, cumulative);
    ASSERT_EQ(cumulative.size(), layout.bounds_us().size() + 1);
    for (size_t i = 0; i < layout.bounds_us().size(); ++i) {
      uint64_t expected = 0;
      for (uint32_t b = 0; b < PP_HIST_BUCKETS; ++b) {
        if (pp_hist_upper_bound_us(b) != 0 && pp_hist_upper_bound_us(b) <= layout.bounds_us()[i]) expected += kernel[b];
      }
      EXPECT_EQ(cumulative[i], expected) << "le " << layout.le_texts()[i];
    }
    uint64_t total = 0;
    for (uint64_t count : kernel) total += count;
    EXPECT_EQ(cumulative.back(), total) << "+Inf holds everything, the overflow bucket included";
  }
}

TEST(RttBuckets, BadOptionsAreUsageErrors) {
  EXPECT_THROW(RttBucketLayout({3, 32e-6, 8.4}), UsageError);
  EXPECT_THROW(RttBucketLayout({2, 1.0, 0.5}), UsageError);
  EXPECT_THROW(RttBucketLayout({1, 33e-6, 60e-6}), UsageError) << "no power of two between 33 and 60 us";
}

TEST(RttBuckets, MicrosecondsPrintAsExactDecimalSeconds) {
  EXPECT_EQ(MicrosecondsText(32), "0.000032");
  EXPECT_EQ(MicrosecondsText(1536), "0.001536");
  EXPECT_EQ(MicrosecondsText(1'000'000), "1");
  EXPECT_EQ(MicrosecondsText(8'388'608), "8.388608");
}

}  // namespace
}  // namespace pping
