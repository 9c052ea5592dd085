// SPDX-License-Identifier: Apache-2.0
// The command line and config file into one typed Config: defaults, typed
// words and durations, ePPing's names, what follows from the flags, and
// the one-line errors that end with exit code 2.
#include "exporter/config/config.h"

#include <gtest/gtest.h>

#include "exporter/config/config_file.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace pping {
namespace {

using namespace std::chrono_literals;

ParseOutcome Parse(std::vector<const char*> args) {
  args.insert(args.begin(), "pping_exporter");
  return ParseCommandLine(static_cast<int>(args.size()), args.data());
}

Config Parsed(std::vector<const char*> args) {
  const ParseOutcome out = Parse(std::move(args));
  EXPECT_TRUE(out.config) << out.message;
  return out.config.value_or(Config{});
}

TEST(Config, DefaultsFollowExporterConventions) {
  const Config c = Parsed({});
  EXPECT_EQ(c.web.listen_addresses, std::vector<std::string>{":9789"});
  EXPECT_EQ(c.web.telemetry_path, "/metrics");
  EXPECT_EQ(c.datapath.ipv4_prefix_len, 24u);
  EXPECT_EQ(c.datapath.ipv6_prefix_len, 48u);
  EXPECT_EQ(c.datapath.sampling.rate_limit, 100ms);
  EXPECT_EQ(c.aggregation.interval, 1s);
  EXPECT_EQ(c.aggregation.series_expiry, 10min);
  EXPECT_EQ(c.cleanup.tcp_flow_timeout, 5min);
  EXPECT_EQ(c.attach.hooks.tc_mode, TcMode::kAuto);
  EXPECT_EQ(c.attach.hooks.ingress, IngressHook::kTc);
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
  EXPECT_FALSE(c.output.format);
  EXPECT_FALSE(c.datapath.emit_events);
  EXPECT_DOUBLE_EQ(c.histogram.min_seconds, 32e-6);
  EXPECT_DOUBLE_EQ(c.histogram.max_seconds, 8.4);
}

TEST(Config, WordsBecomeTypedValues) {
  const Config c = Parsed({"--attach.tc-mode", "clsact", "--attach.ingress-hook", "xdp", "--attach.xdp-mode", "generic",
                           "--log.level", "debug", "--sampling.rtt-type", "smoothed", "--output.format", "jsonl"});
  EXPECT_EQ(c.attach.hooks.tc_mode, TcMode::kClsact);
  EXPECT_EQ(c.attach.hooks.ingress, IngressHook::kXdp);
  EXPECT_EQ(c.attach.hooks.xdp_mode, XdpMode::kGeneric);
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_TRUE(c.datapath.sampling.use_smoothed_rtt);
  EXPECT_EQ(c.output.format, OutputFormat::kJsonl);
  EXPECT_TRUE(c.datapath.emit_events) << "events are written to the ring buffer only when printed";
}

TEST(Config, DurationsCarryTheirUnits) {
  const Config c = Parsed({"--aggregation.interval", "250ms", "--cleanup.tcp-timeout", "1h30m", "--histogram.min",
                           "16us", "--histogram.max", "2s", "--sampling.burst-window", "0"});
  EXPECT_EQ(c.aggregation.interval, 250ms);
  EXPECT_EQ(c.cleanup.tcp_flow_timeout, 90min);
  EXPECT_DOUBLE_EQ(c.histogram.min_seconds, 16e-6);
  EXPECT_DOUBLE_EQ(c.histogram.max_seconds, 2.0);
  EXPECT_EQ(c.datapath.sampling.burst_window, 0ns);
}

TEST(Config, EppingNamesAreAliasesInEppingsUnits) {
  const Config c = Parsed({"-i",
                           "eth0",
                           "--interface",
                           "eth1",
                           "-r",
                           "25",
                           "-R",
                           "0.5",
                           "-t",
                           "smoothed",
                           "-c",
                           "2",
                           "-F",
                           "json",
                           "-w",
                           "/tmp/out.json",
                           "-l",
                           "-s",
                           "-4",
                           "20",
                           "-6",
                           "40",
                           "-I",
                           "xdp",
                           "-x",
                           "native",
                           "--aggregate-timeout",
                           "30"});
  EXPECT_EQ(c.attach.interfaces, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(c.datapath.sampling.rate_limit, 25ms);
  EXPECT_DOUBLE_EQ(c.datapath.sampling.rtt_rate, 0.5);
  EXPECT_TRUE(c.datapath.sampling.use_smoothed_rtt);
  EXPECT_EQ(c.cleanup.interval, 2s);
  EXPECT_EQ(c.output.format, OutputFormat::kJson);
  EXPECT_EQ(c.output.write_path, "/tmp/out.json");
  EXPECT_TRUE(c.datapath.include_local);
  EXPECT_TRUE(c.datapath.include_syn);
  EXPECT_EQ(c.datapath.ipv4_prefix_len, 20u);
  EXPECT_EQ(c.datapath.ipv6_prefix_len, 40u);
  EXPECT_EQ(c.attach.hooks.ingress, IngressHook::kXdp);
  EXPECT_EQ(c.attach.hooks.xdp_mode, XdpMode::kNative);
  EXPECT_EQ(c.aggregation.series_expiry, 30s);
  // The aliases take units too.
  EXPECT_EQ(Parsed({"--rate-limit", "1s"}).datapath.sampling.rate_limit, 1s);
  EXPECT_EQ(Parsed({"-a", "5"}).output.aggregate, 5s);
}

TEST(Config, AggregateAloneChoosesTheStandardFormatAndNoEvents) {
  const Config c = Parsed({"--output.aggregate", "10s"});
  EXPECT_EQ(c.output.format, OutputFormat::kStandard);
  EXPECT_TRUE(c.output.prints_aggregates());
  EXPECT_FALSE(c.datapath.emit_events);
}

TEST(Config, BadFlagsExitWithTwoInOneLine) {
  for (const auto& args :
       std::vector<std::vector<const char*>>{{"--aggregation.ipv4-prefix", "33"},
                                             {"--aggregation.ipv6-prefix", "-1"},
                                             {"--no-such-flag"},
                                             {"--log.level", "chatty"},
                                             {"--log.level", "0"},
                                             {"--output.format", "3"},
                                             {"--aggregate-timeout", "99999999999999999999"},
                                             {"--rate-limit", std::string(400, '9').c_str()},
                                             {"--attach.tc-mode", "tc"},
                                             {"--web.telemetry-path", "metrics"},
                                             {"--aggregation.interval", "250"},
                                             {"--aggregation.interval", "5ms"},
                                             {"--cleanup.tcp-timeout", "soon"},
                                             {"--output.aggregate", "10s", "--output.format", "ppviz"},
                                             {"--output.write", "/tmp/x"},
                                             {"--datapath.events-buffer-size", "5000"},
                                             {"--histogram.min", "1s", "--histogram.max", "1s"}}) {
    const ParseOutcome out = Parse(args);
    EXPECT_FALSE(out.config) << args[0];
    EXPECT_EQ(out.exit_code, 2) << args[0];
    EXPECT_FALSE(out.message.empty()) << args[0];
    EXPECT_EQ(out.message.find('\n'), std::string::npos) << "one line: " << out.message;
  }
}

TEST(Config, HelpExitsCleanly) {
  const ParseOutcome out = Parse({"--help"});
  EXPECT_FALSE(out.config);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_NE(out.message.find("--web.listen-address"), std::string::npos);
  EXPECT_NE(out.message.find("100ms"), std::string::npos) << "defaults shown as durations";
}

std::string TempFile(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(Config, RetransmissionCountingIsOnUnlessSwitchedOff) {
  EXPECT_TRUE(Parsed({}).datapath.track_retransmits);
  EXPECT_FALSE(Parsed({"--no-tcp.retransmits"}).datapath.track_retransmits);
  const std::string path = TempFile("r.toml", "tcp.retransmits = false\n");
  EXPECT_FALSE(Parsed({"--config.file", path.c_str()}).datapath.track_retransmits);
  EXPECT_TRUE(Parsed({"--config.file", path.c_str(), "--tcp.retransmits"}).datapath.track_retransmits);
}

// Bad input is one line and exit code 2, naming what is wrong.
void ExpectRefused(std::vector<const char*> args, const std::string& wanted) {
  const ParseOutcome out = Parse(args);
  EXPECT_EQ(out.exit_code, 2) << out.message;
  EXPECT_FALSE(out.config);
  EXPECT_NE(out.message.find(wanted), std::string::npos) << out.message;
  EXPECT_EQ(out.message.find('\n'), std::string::npos) << out.message;
}

TEST(Config, ConfigFileMustBeASmallTextFileOfCompleteLines) {
  ExpectRefused({"--config.file", ""}, "--config.file: an empty path");
  ExpectRefused({"--config.file=/dev/zero"}, "not a regular file");
  ExpectRefused({"--config.file", "/"}, "not a regular file");
  ExpectRefused({"--config.file", "/nonexistent/pping.toml"}, "No such file");
  const std::string big = TempFile("big.toml", std::string(kMaxConfigFileBytes + 1, '#'));
  ExpectRefused({"--config.file", big.c_str()}, "larger than 1048576 bytes");
  std::string noise(4096, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919 + 13) % 256);
  const std::string random = TempFile("random.toml", noise);
  ExpectRefused({"--config.file", random.c_str()}, "not text");
  const std::string string = TempFile("string.toml", "log.level = \"info\"\nweb.listen-address = \":9789\n");
  ExpectRefused({"--config.file", string.c_str()}, "line 2: a string without its closing quote");
  const std::string array = TempFile("array.toml", "attach.interface = [\"eth0\",\nlog.level = \"info\"\n");
  ExpectRefused({"--config.file", array.c_str()}, "line 1: an array not closed on its line");
  const std::string section = TempFile("section.toml", "[web]\nlisten-address = \":1\"\n");
  ExpectRefused({"--config.file", section.c_str()}, "line 1: sections are not used");
  const std::string junk = TempFile("junk.toml", "# fine\n\nlog.level = \"info\" trailing\n");
  ExpectRefused({"--config.file", junk.c_str()}, "line 3: more after the value");
  const std::string good =
      TempFile("good.toml",
               "# comment\r\nattach.interface = [\"eth0\", 'eth1']  # two\nquic.ports = [443, 8443]\n"
               "sampling.include-local = true\nsampling.rate-limit = \"5ms\"\n"
               "web.listen-address = [\":9789\", \"[::1]:9790\"]\n");
  const Config c = Parsed({"--config.file", good.c_str()});
  EXPECT_EQ(c.web.listen_addresses, (std::vector<std::string>{":9789", "[::1]:9790"}));
  EXPECT_EQ(c.attach.interfaces, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(c.datapath.quic_ports, (std::vector<uint16_t>{443, 8443}));
  EXPECT_TRUE(c.datapath.include_local);
}

TEST(Config, TheInterfaceLabelIsAutoOnOrOff) {
  EXPECT_EQ(Parsed({}).aggregation.interface_label, InterfaceLabel::kAuto);
  EXPECT_EQ(Parsed({"--aggregation.interface-label", "on"}).aggregation.interface_label, InterfaceLabel::kOn);
  EXPECT_EQ(Parsed({"--aggregation.interface-label", "off"}).aggregation.interface_label, InterfaceLabel::kOff);
  EXPECT_FALSE(Parse({"--aggregation.interface-label", "yes"}).config);
}

// As node_exporter's: repeated for several addresses, each one value.
TEST(Config, TheListenAddressRepeats) {
  EXPECT_EQ(Parsed({"--web.listen-address", "127.0.0.1:1", "--web.listen-address=[::1]:2"}).web.listen_addresses,
            (std::vector<std::string>{"127.0.0.1:1", "[::1]:2"}));
  EXPECT_FALSE(Parse({"--web.listen-address", ":1", ":2"}).config) << "one value per flag";
}

TEST(Config, EmptyNamesAndPathsAreMistakes) {
  ExpectRefused({"--output.format", "jsonl", "--output.write", ""}, "--output.write: an empty value");
  ExpectRefused({"--attach.netns", ""}, "--attach.netns: an empty value");
  ExpectRefused({"--web.listen-address", ""}, "--web.listen-address: an empty value");
  ExpectRefused({"-i", ""}, "an empty value");
}

TEST(Config, InterfacesAreNamesTheKernelCouldHoldAndGivenOnce) {
  ExpectRefused({"-i", "a\nb"}, "--attach.interface a\\x0ab: a character no interface name has");
  ExpectRefused({"-i", "waytoolonginterface0"}, "longer than 15 bytes");
  ExpectRefused({"-i", "eth0", "-i", "eth1", "-i", "eth0"}, "--attach.interface eth0 given twice");
}

TEST(Config, TheOutputFilesDirectoryMustExistBeforeAnythingIsAttached) {
  ExpectRefused({"--output.format", "jsonl", "--output.write", "/nonexistent/events.jsonl"},
                "no directory /nonexistent");
  EXPECT_EQ(Parsed({"--output.format", "jsonl", "--output.write", "events.jsonl"}).output.write_path, "events.jsonl");
}

TEST(Config, TheMetricsPathIsExactAndItsOwn) {
  ExpectRefused({"--web.telemetry-path", "/"}, "--web.telemetry-path /: is the landing page");
  ExpectRefused({"--web.telemetry-path", "/-/metrics"}, "is under /-/");
  ExpectRefused({"--web.telemetry-path", "/metrics$"}, "letters, digits and / . _ ~ - only");
  ExpectRefused({"--web.telemetry-path", "/m**"}, "letters, digits and / . _ ~ - only");
  EXPECT_EQ(Parsed({"--web.telemetry-path", "/probe/pping-metrics_v1.txt"}).web.telemetry_path,
            "/probe/pping-metrics_v1.txt");
}

TEST(Config, CheckModeOnlyValidates) {
  EXPECT_FALSE(Parsed({}).check_only);
  EXPECT_TRUE(Parsed({"--config.check", "--config.file", "config/pping_exporter.toml"}).check_only);
  ExpectRefused({"--config.check", "--aggregation.ipv4-prefix", "40"}, "--aggregation.ipv4-prefix");
}

TEST(Config, ExampleFileParsesAndNamesEveryFlag) {
  const char* path = "config/pping_exporter.toml";
  const Config c = Parsed({"--config.file", path});
  EXPECT_EQ(c.web.listen_addresses, std::vector<std::string>{":9789"});
  EXPECT_EQ(c.datapath.sampling.rate_limit, 100ms);
  EXPECT_EQ(c.cleanup.icmp_flow_timeout, 30s);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  for (const std::string& key : ConfigFileKeys()) {
    EXPECT_NE(text.str().find(key + " = "), std::string::npos) << "config example lacks " << key;
  }
}

TEST(Config, FileValuesAreValidatedAndFlagsOverrideThem) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/c.toml";
  std::ofstream(path) << "aggregation.ipv4-prefix = 20\nsampling.rate-limit = \"5ms\"\n";
  Config c = Parsed({"--config.file", path.c_str(), "--sampling.rate-limit", "7ms"});
  EXPECT_EQ(c.datapath.ipv4_prefix_len, 20u);
  EXPECT_EQ(c.datapath.sampling.rate_limit, 7ms);
  std::ofstream(path) << "aggregation.ipv4-prefix = 40\n";
  EXPECT_EQ(Parse({"--config.file", path.c_str()}).exit_code, 2);
  std::ofstream(path) << "cleanup.tcp-timeout = \"300\"\n";
  EXPECT_EQ(Parse({"--config.file", path.c_str()}).exit_code, 2) << "a duration needs its unit in the file too";
  std::ofstream(path) << "sampling.rate_limit = \"5ms\"\n";
  const ParseOutcome typo = Parse({"--config.file", path.c_str()});
  EXPECT_EQ(typo.exit_code, 2) << "a key naming no flag";
  EXPECT_NE(typo.message.find("no flag is named 'sampling.rate_limit'"), std::string::npos) << typo.message;
}

TEST(Config, ReplayReadsACaptureWithTheDatapathsFlags) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/r.pcap";
  std::ofstream(path) << "x";
  const Config c =
      Parsed({"replay", path.c_str(), "--replay.local", "192.0.2.0/24", "--replay.local", "2001:db8::1",
              "--replay.local-mac", "02:00:00:00:0A:01", "--sampling.rate-limit", "0", "--replay.metrics-file", "-"});
  ASSERT_TRUE(c.replay);
  EXPECT_EQ(c.replay->file, path);
  ASSERT_EQ(c.replay->local.size(), 2u);
  EXPECT_EQ(c.replay->local[0].address, ParseAddress("192.0.2.0"));
  EXPECT_EQ(c.replay->local[0].length, 96u + 24) << "IPv4 lengths count on the mapped form";
  EXPECT_EQ(c.replay->local[1].length, 128u) << "an address alone";
  EXPECT_EQ(c.replay->local_macs, (std::vector<MacAddress>{{2, 0, 0, 0, 0x0a, 1}}));
  EXPECT_EQ(c.replay->metrics_file, "-");
  EXPECT_FALSE(c.replay->serve);
  EXPECT_TRUE(c.datapath.replay) << "the programs load for replay";
  EXPECT_EQ(c.datapath.sampling.rate_limit, 0ms) << "flags of the exporter follow the subcommand's";
  EXPECT_FALSE(Parsed({}).replay);
  EXPECT_FALSE(Parsed({}).datapath.replay);
}

TEST(Config, ReplayRefusesWhatItCannotUse) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/r.pcap";
  std::ofstream(path) << "x";
  for (const auto& args : std::vector<std::vector<const char*>>{
           {"replay"},
           {"replay", "/nonexistent/capture.pcap"},
           {"replay", path.c_str(), "--attach.interface", "eth0"},
           {"replay", path.c_str(), "--attach.netns", "blue"},
           {"replay", path.c_str(), "--replay.local", "192.0.2.0/33"},
           {"replay", path.c_str(), "--replay.local", "2001:db8::/129"},
           {"replay", path.c_str(), "--replay.local", "192.0.2.0/"},
           {"replay", path.c_str(), "--replay.local", "example.org"},
           {"replay", path.c_str(), "--replay.local-mac", "02:00:00:00:00"},
           {"replay", path.c_str(), "--replay.local-mac", "02:00:00:00:00:01:07"},
           {"replay", path.c_str(), "--replay.local-mac", "2:0:0:0:0:1"},
           {"replay", path.c_str(), "--replay.local", "192.0.2.0/ 8"},
           {"replay", path.c_str(), "--replay.local", "192.0.2.0/+8"},
           {"replay", path.c_str(), "--attach.tc-mode", "clsact"},
           {"replay", path.c_str(), "--attach.ingress-hook", "xdp"},
           {"replay", path.c_str(), "-I", "xdp"},
           {"--replay.local", "192.0.2.1"},
       }) {
    const ParseOutcome out = Parse(args);
    EXPECT_FALSE(out.config) << args.back();
    EXPECT_EQ(out.exit_code, 2) << args.back();
    EXPECT_EQ(out.message.find('\n'), std::string::npos) << "one line: " << out.message;
  }
}

}  // namespace
}  // namespace pping
