// SPDX-License-Identifier: Apache-2.0
// The effective settings: defaults, flags and resolved names, in one
// line whose every key=value a logfmt reader takes apart.
#include "exporter/settings.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "exporter/util/build_info.h"

namespace pping {
namespace {

std::map<std::string, std::string> AsMap(const Settings& s) { return {s.begin(), s.end()}; }

TEST(Settings, DefaultsAndWhatWasResolved) {
  const Settings s = EffectiveSettings(Config{}, {"eth0"}, {"http://[::]:9789/metrics"}, false, false);
  const auto m = AsMap(s);
  EXPECT_EQ(m.at("interfaces"), "eth0");
  EXPECT_EQ(m.at("metrics"), "http://[::]:9789/metrics");
  EXPECT_EQ(m.at("ingress_hook"), "tc");
  EXPECT_EQ(m.at("tc_mode"), "auto");
  EXPECT_EQ(m.count("xdp_mode"), 0u);
  EXPECT_EQ(m.at("tls"), "off");
  EXPECT_EQ(m.at("ipv4_prefix"), "/24");
  EXPECT_EQ(m.at("ipv6_prefix"), "/48");
  EXPECT_EQ(m.at("sampling_rate_limit"), "100ms");
  EXPECT_EQ(m.at("aggregation_interval"), "1s");
  EXPECT_EQ(m.at("series_expiry"), "10m");
  EXPECT_EQ(m.at("quic_ports"), "443");
  EXPECT_EQ(m.at("flow_map"), "16384..131072");
  EXPECT_EQ(m.at("tcp_retransmits"), "on");
}

TEST(Settings, FlagsShow) {
  Config c;
  c.attach.hooks.ingress = IngressHook::kXdp;
  c.attach.netns = "customer a";
  c.datapath.ipv4_prefix_len = 20;
  c.datapath.track_retransmits = false;
  c.datapath.quic_ports = {443, 8443};
  const auto m = AsMap(EffectiveSettings(c, {"eth0", "eth1"}, {"https://192.0.2.1:9789/metrics"}, true, true));
  EXPECT_EQ(m.at("interfaces"), "eth0,eth1");
  EXPECT_EQ(m.at("netns"), "customer a");
  EXPECT_EQ(m.at("ingress_hook"), "xdp");
  EXPECT_EQ(m.at("xdp_mode"), "unspecified");
  EXPECT_EQ(m.at("ipv4_prefix"), "/20");
  EXPECT_EQ(m.at("tcp_retransmits"), "off");
  EXPECT_EQ(m.at("quic_ports"), "443,8443");
  EXPECT_EQ(m.at("tls"), "on");
  EXPECT_EQ(m.at("basic_auth"), "on");
}

TEST(Settings, TheStartupLineHasTheVersionAndEverySetting) {
  Config c;
  c.attach.netns = "customer a";
  const Settings s = EffectiveSettings(c, {"eth0"}, {"http://[::]:9789/metrics"}, false, false);
  const std::string line = StartupLine(s);
  EXPECT_EQ(line.rfind("pping_exporter " + GetBuildInfo().version + " started (branch: ", 0), 0u) << line;
  EXPECT_NE(line.find("revision: " + GetBuildInfo().revision), std::string::npos);
  EXPECT_NE(line.find(" netns=\"customer a\" "), std::string::npos) << line;
  // Every setting appears once, as key=value.
  const std::string settings = line.substr(line.find(");") + 2);
  std::regex pair(R"( ([a-z_0-9]+)=("[^"]*"|\S+))");
  size_t found = 0;
  for (auto it = std::sregex_iterator(settings.begin(), settings.end(), pair); it != std::sregex_iterator(); ++it) {
    EXPECT_EQ((*it)[1], s[found].first);
    ++found;
  }
  EXPECT_EQ(found, s.size());
}

}  // namespace
}  // namespace pping
