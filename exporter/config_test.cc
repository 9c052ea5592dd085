// SPDX-License-Identifier: Apache-2.0
#include "exporter/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace pping {
namespace {

ParseOutcome Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "pping_exporter");
  return ParseCommandLine(static_cast<int>(args.size()), args.data());
}

TEST(Config, DefaultsFollowExporterConventions) {
  const ParseOutcome out = Parse({});
  ASSERT_TRUE(out.config);
  EXPECT_EQ(out.config->listen_address, ":9789");
  EXPECT_EQ(out.config->telemetry_path, "/metrics");
  EXPECT_EQ(out.config->ipv4_prefix_len, 24u);
  EXPECT_EQ(out.config->ipv6_prefix_len, 48u);
  EXPECT_FALSE(out.config->demo);
}

TEST(Config, RepeatableInterfaces) {
  const ParseOutcome out = Parse({"--interface", "eth0", "-i", "eth1"});
  ASSERT_TRUE(out.config);
  EXPECT_EQ(out.config->interfaces, (std::vector<std::string>{"eth0", "eth1"}));
}

TEST(Config, BadFlagsExitWithTwo) {
  for (const auto& args : std::vector<std::vector<const char*>>{{"--aggregation.ipv4-prefix", "33"},
                                                                {"--aggregation.ipv6-prefix", "-1"},
                                                                {"--no-such-flag"},
                                                                {"--log.level", "chatty"},
                                                                {"--web.telemetry-path", "metrics"},
                                                                {"--demo", "--interface", "eth0"}}) {
    const ParseOutcome out = Parse(args);
    EXPECT_FALSE(out.config) << args[0];
    EXPECT_EQ(out.exit_code, 2) << args[0];
    EXPECT_EQ(out.message.find('\n'), std::string::npos) << "one line: " << out.message;
  }
}

TEST(Config, HelpExitsCleanly) {
  const ParseOutcome out = Parse({"--help"});
  EXPECT_FALSE(out.config);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_NE(out.message.find("--web.listen-address"), std::string::npos);
}

TEST(Config, DemoDelay) {
  const ParseOutcome out = Parse({"--demo", "--demo.delay-ms", "35"});
  ASSERT_TRUE(out.config && out.config->demo);
  EXPECT_EQ(out.config->demo->delay.count(), 35);
}

TEST(Config, ExampleFileParsesAndNamesEveryFlag) {
  const char* path = "config/pping_exporter.toml";
  const ParseOutcome out = Parse({"--config.file", path});
  ASSERT_TRUE(out.config) << out.message;
  EXPECT_EQ(out.config->listen_address, ":9789");
  EXPECT_EQ(out.config->sampling.rate_limit.count(), 100);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  for (const std::string& key : ConfigFileKeys()) {
    EXPECT_NE(text.str().find(key + " = "), std::string::npos) << "config example lacks " << key;
  }
}

TEST(Config, FileValuesAreValidatedAndFlagsOverrideThem) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/c.toml";
  std::ofstream(path) << "aggregation.ipv4-prefix = 20\nrate-limit = 5\n";
  ParseOutcome out = Parse({"--config.file", path.c_str(), "--rate-limit", "7"});
  ASSERT_TRUE(out.config) << out.message;
  EXPECT_EQ(out.config->ipv4_prefix_len, 20u);
  EXPECT_EQ(out.config->sampling.rate_limit.count(), 7);
  std::ofstream(path) << "aggregation.ipv4-prefix = 40\n";
  out = Parse({"--config.file", path.c_str()});
  EXPECT_EQ(out.exit_code, 2);
}

}  // namespace
}  // namespace pping
