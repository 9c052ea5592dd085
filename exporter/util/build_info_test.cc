// SPDX-License-Identifier: Apache-2.0
// The build's description: every field filled, the revision the one
// checked out when the workspace is a git checkout.
#include "exporter/util/build_info.h"

#include <gtest/gtest.h>

#include <regex>

namespace pping {
namespace {

TEST(BuildInfo, EveryFieldIsFilled) {
  const BuildInfo& b = GetBuildInfo();
  EXPECT_TRUE(std::regex_match(b.version, std::regex(R"(\d+\.\d+\.\d+)"))) << b.version;
  EXPECT_TRUE(std::regex_match(b.revision, std::regex(R"([0-9a-f]{12}(-modified)?|unknown)"))) << b.revision;
  EXPECT_FALSE(b.branch.empty());
  EXPECT_TRUE(std::regex_match(b.build_date, std::regex(R"(20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << b.build_date;
  EXPECT_TRUE(std::regex_match(b.compiler, std::regex(R"((gcc|clang) \d+\..*)"))) << b.compiler;
  EXPECT_TRUE(std::regex_match(b.libbpf, std::regex(R"(\d+\.\d+)"))) << b.libbpf;
  const std::string text = VersionText();
  EXPECT_EQ(
      text.rfind("pping_exporter, version " + b.version + " (branch: " + b.branch + ", revision: " + b.revision + ")\n",
                 0),
      0u)
      << text;
}

}  // namespace
}  // namespace pping
