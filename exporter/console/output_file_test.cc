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

// A full disk: every write fails, is counted, and nothing throws.
TEST(OutputFile, FailedWritesAreCountedNotFatal) {
  OutputFile full("/dev/full", true);
  for (int i = 0; i < 3; ++i) full.Write(std::string(8192, 'x'));
  EXPECT_EQ(full.failed_writes(), 3u);
  OutputFile fine(TempPath("fine.log"), true);
  fine.Write("ok\n");
  EXPECT_EQ(fine.failed_writes(), 0u);
}

TEST(OutputFile, UnwritablePathIsAUsageError) { EXPECT_THROW(OutputFile("/nonexistent-dir/x.log", true), UsageError); }

}  // namespace
}  // namespace pping
