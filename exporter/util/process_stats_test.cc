// SPDX-License-Identifier: Apache-2.0
// The process_* figures of this test's own process: plausible values, and
// open descriptors counted as they are opened.
#include "exporter/util/process_stats.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <ctime>
#include <vector>

#include "exporter/util/unique_fd.h"

namespace pping {
namespace {

TEST(ProcessStats, DescribesThisProcess) {
  const auto before = ReadProcessStats();
  ASSERT_TRUE(before);
  std::vector<UniqueFd> files;
  for (int i = 0; i < 10; ++i) files.emplace_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::vector<char> touched(64 << 20, 1);  // 64 MiB, written so they are resident
  volatile char keep = touched[touched.size() / 2];
  (void)keep;
  const auto after = ReadProcessStats();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->open_fds, before->open_fds + 10);
  EXPECT_GE(after->resident_bytes, before->resident_bytes + (60u << 20));
  EXPECT_GE(after->virtual_bytes, after->resident_bytes);
  rlimit files_limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &files_limit), 0);
  EXPECT_EQ(after->max_fds, files_limit.rlim_cur);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(after->start_time_seconds, now + 1);
  EXPECT_GT(after->start_time_seconds, now - 3600) << "started within the hour";
  EXPECT_GE(after->cpu_seconds, before->cpu_seconds);
}

}  // namespace
}  // namespace pping
