// SPDX-License-Identifier: Apache-2.0
#include "tests/support/json_lines.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace pping::testing {

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    EXPECT_NO_THROW(out.push_back(nlohmann::json::parse(line))) << line;
  }
  return out;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

}  // namespace pping::testing
