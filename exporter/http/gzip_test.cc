// SPDX-License-Identifier: Apache-2.0
// The compressor's output is a gzip member zlib reads back whole, however
// its input was cut.
#include "exporter/http/gzip.h"

#include <gtest/gtest.h>
#include <string>

#include "tests/support/gunzip.h"

namespace pping {
namespace {

using testing::Gunzip;

std::string Lines(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "pping_rtt_seconds_bucket{prefix=\"192.0." + std::to_string(i % 256) + ".0/24\",le=\"0.001\"} " +
            std::to_string(i * 7) + "\n";
  }
  return text;
}

TEST(GzipWriter, RoundTripsInPiecesOfAnySize) {
  const std::string text = Lines(20000);
  for (const size_t piece : {size_t{1} << 20, size_t{4096}, size_t{7}}) {
    GzipWriter gzip(1);
    std::string out;
    for (size_t at = 0; at < text.size(); at += piece) gzip.Write(std::string_view(text).substr(at, piece), out);
    gzip.Finish(out);
    EXPECT_EQ(Gunzip(out), text) << piece;
    EXPECT_LT(out.size() * 5, text.size()) << "exposition text compresses well";
  }
}

TEST(GzipWriter, AnEmptyBodyIsAValidMember) {
  GzipWriter gzip(1);
  std::string out;
  gzip.Finish(out);
  EXPECT_EQ(Gunzip(out), std::string());
}

}  // namespace
}  // namespace pping
