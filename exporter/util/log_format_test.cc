// SPDX-License-Identifier: Apache-2.0
// Log lines in logfmt and JSON, each one line a collector can parse,
// whatever a message holds (quotes, newlines a hostile name put there).
#include "exporter/util/log_format.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <regex>
#include <sstream>

namespace pping {
namespace {

std::string Logged(LogFormat format, spdlog::level::level_enum level, const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(MakeLogFormatter(format));
  logger.log(level, "{}", message);
  return out.str();
}

TEST(LogFormat, Logfmt) {
  const std::string line = Logged(LogFormat::kLogfmt, spdlog::level::warn, "map \"flow\" full\nnext=1");
  EXPECT_TRUE(std::regex_match(
      line,
      std::regex(R"(ts=20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=warn msg="map \\"flow\\" full\\nnext=1"\n)")))
      << line;
  EXPECT_NE(Logged(LogFormat::kLogfmt, spdlog::level::info, "ready").find(" level=info msg=\"ready\"\n"),
            std::string::npos);
  EXPECT_EQ(LogfmtValue("eth0"), "eth0");
  EXPECT_EQ(LogfmtValue("a b"), "\"a b\"");
  EXPECT_EQ(LogfmtValue(""), "\"\"");
  EXPECT_EQ(LogfmtValue("k=v"), "\"k=v\"");
  EXPECT_EQ(LogfmtValue(std::string("a\x01", 2)), "\"a\\x01\"");
}

TEST(LogFormat, Json) {
  const std::string line = Logged(LogFormat::kJson, spdlog::level::err, "bad \"x\"\t\\ \x02");
  EXPECT_TRUE(std::regex_match(
      line,
      std::regex(
          R"(\{"ts":"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"error","msg":"bad \\"x\\"\\t\\\\ \\u0002"\}\n)")))
      << line;
  EXPECT_NE(Logged(LogFormat::kJson, spdlog::level::critical, "x").find("\"level\":\"error\""), std::string::npos);
}

}  // namespace
}  // namespace pping
