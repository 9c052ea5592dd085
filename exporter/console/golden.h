// SPDX-License-Identifier: Apache-2.0
// Golden files of the console formats, and a fixed clock in UTC for them.
// Rewrite the golden files with, e.g.:
//   PPING_UPDATE_GOLDEN=1 bazel run //exporter/console:formatter_test
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace pping::testing {

// 2026-11-25 12:00:00.123456789 UTC
inline const auto kGoldenTime = std::chrono::system_clock::time_point(
    std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(1795694400123456789LL)));

// Compares `actual` with exporter/console/testdata/NAME, or rewrites the
// file under `bazel run` with PPING_UPDATE_GOLDEN set.
inline void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = "exporter/console/testdata/" + name;
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (std::getenv("PPING_UPDATE_GOLDEN") && workspace) {
    std::ofstream(std::string(workspace) + "/" + path) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing " << path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << name;
}

// The standard formats print local time: the tests run in UTC.
class InUtc : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

}  // namespace pping::testing
