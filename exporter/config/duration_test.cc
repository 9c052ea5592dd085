// SPDX-License-Identifier: Apache-2.0
#include "exporter/config/duration.h"

#include <gtest/gtest.h>

#include <string>

namespace pping {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesEachUnit) {
  EXPECT_EQ(ParseDuration("7ns"), 7ns);
  EXPECT_EQ(ParseDuration("250us"), 250us);
  EXPECT_EQ(ParseDuration("250\xc2\xb5s"), 250us);
  EXPECT_EQ(ParseDuration("100ms"), 100ms);
  EXPECT_EQ(ParseDuration("30s"), 30s);
  EXPECT_EQ(ParseDuration("5m"), 5min);
  EXPECT_EQ(ParseDuration("2h"), 2h);
  EXPECT_EQ(ParseDuration("1d"), 24h);
}

TEST(Duration, ParsesFractionsAndCompounds) {
  EXPECT_EQ(ParseDuration("1.5s"), 1500ms);
  EXPECT_EQ(ParseDuration("0.000032s"), 32us);
  EXPECT_EQ(ParseDuration("1m30s"), 90s);
  EXPECT_EQ(ParseDuration("1h0m0.5s"), 3600500ms);
  EXPECT_EQ(ParseDuration("0"), 0ns);
  EXPECT_EQ(ParseDuration("0s"), 0ns);
}

TEST(Duration, RefusesWhatIsNotADuration) {
  for (const char* bad :
       {"", "100", "ms", "-1s", "1 s", "1sec", "1.s5", ".s", "1e3ms", "10x", "s10", "1m30", "99999999999999d"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

// Numbers beyond what a double holds are refused, never thrown about.
TEST(Duration, RefusesNumbersTooLargeOrTooSmallWithoutThrowing) {
  EXPECT_EQ(ParseDuration(std::string(400, '9') + "s"), std::nullopt);
  EXPECT_EQ(ParseDuration("0." + std::string(400, '0') + "1s"), std::nullopt);
  EXPECT_EQ(ParseDuration(std::string(20, '9') + "h"), std::nullopt);
}

TEST(Duration, FormatsTheShortestExactSpelling) {
  EXPECT_EQ(FormatDuration(0ns), "0s");
  EXPECT_EQ(FormatDuration(100ms), "100ms");
  EXPECT_EQ(FormatDuration(32us), "32us");
  EXPECT_EQ(FormatDuration(8400ms), "8.4s");
  EXPECT_EQ(FormatDuration(1500us), "1.5ms");
  EXPECT_EQ(FormatDuration(3601s), "1h1s");
  EXPECT_EQ(FormatDuration(100h), "4d4h");
  EXPECT_EQ(FormatDuration(5min), "5m");
  EXPECT_EQ(FormatDuration(90s), "1m30s");
  EXPECT_EQ(FormatDuration(7ns), "7ns");
  EXPECT_EQ(FormatDuration(24h), "1d");
}

TEST(Duration, FormattedDurationsParseBack) {
  for (const std::chrono::nanoseconds d :
       std::initializer_list<std::chrono::nanoseconds>{1ns, 999us, 1500ms, 61s, 3601s, 100h}) {
    EXPECT_EQ(ParseDuration(FormatDuration(d)), d) << FormatDuration(d);
  }
}

}  // namespace
}  // namespace pping
