// SPDX-License-Identifier: Apache-2.0
// Appending, and reopening after the file was moved away (log rotation).
#include "exporter/console/output_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "exporter/util/error.h"

namespace pping {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TempPath(const char* name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(OutputFile, AppendsToWhatIsThere) {
  const std::string path = TempPath("append.log");
  std::ofstream(path) << "old\n";
  { OutputFile(path, true).Write("new\n"); }
  EXPECT_EQ(Read(path), "old\nnew\n");
}

TEST(OutputFile, ReopenStartsTheMovedFileAfresh) {
  const std::string path = TempPath("rotate.json");
  const std::string rotated = path + ".1";
  std::remove(path.c_str());
  {
    OutputFile out(
        path, false, [] { return std::string("["); }, [] { return std::string("]\n"); });
    out.Write("1");
    ASSERT_EQ(std::rename(path.c_str(), rotated.c_str()), 0);
    out.Reopen();
    out.Write("2");
  }
  EXPECT_EQ(Read(rotated), "[1]\n");
  EXPECT_EQ(Read(path), "[2]\n");
}

TEST(OutputFile, UnwritablePathIsAUsageError) { EXPECT_THROW(OutputFile("/nonexistent-dir/x.log", true), UsageError); }

}  // namespace
}  // namespace pping
