// SPDX-License-Identifier: Apache-2.0
// The batch walk over fake batch calls: what is handed over, and when.
#include "exporter/kernel/map_batch.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

namespace pping {
namespace {

TEST(WalkInBatches, HandsOverEveryBatchUntilTheMapEnds) {
  const std::vector<__u32> filled{4, 4, 1};  // the last call also reports the end
  size_t call = 0;
  std::vector<__u32> taken;
  const auto lookup = [&](__u64* in, __u64*, __u32* count) {
    EXPECT_EQ(in == nullptr, call == 0) << "only the first call starts without a cursor";
    *count = filled[call];
    return ++call == filled.size() ? -ENOENT : 0;
  };
  EXPECT_EQ(WalkInBatches(4, lookup, [&](__u32 count) { taken.push_back(count); }), BatchWalk::kWholeMap);
  EXPECT_EQ(taken, filled);
}

// The kernel leaves the count as it was when it has no batch operation:
// taking it would hand over a batch of stale buffer contents.
TEST(WalkInBatches, UnsupportedHandsOverNothing) {
  const auto lookup = [](__u64*, __u64*, __u32*) {
    errno = EINVAL;
    return -EINVAL;
  };
  bool took = false;
  EXPECT_EQ(WalkInBatches(4, lookup, [&](__u32) { took = true; }), BatchWalk::kUnsupported);
  EXPECT_FALSE(took);
}

TEST(WalkInBatches, ErrorPartWayKeepsWhatWasRead) {
  size_t call = 0;
  __u32 taken = 0;
  const auto lookup = [&](__u64*, __u64*, __u32* count) {
    *count = call == 0 ? 3 : 0;
    errno = call == 0 ? 0 : EFAULT;
    return call++ == 0 ? 0 : -EFAULT;
  };
  EXPECT_EQ(WalkInBatches(4, lookup, [&](__u32 count) { taken += count; }), BatchWalk::kStopped);
  EXPECT_EQ(taken, 3u);
}

}  // namespace
}  // namespace pping
