// SPDX-License-Identifier: Apache-2.0
// The expression collector itself: it must find every panel and rule, and
// leave no Grafana variable behind.
#include "tests/prometheus/promql_sources.h"

#include <gtest/gtest.h>

namespace pping::testing {
namespace {

TEST(PromqlSources, FindsEveryDashboardTargetWithoutVariables) {
  const auto exprs = DashboardExpressions("dashboards/pping.json");
  EXPECT_GE(exprs.size(), 15u);
  for (const auto& e : exprs) EXPECT_EQ(e.promql.find('$'), std::string::npos) << e.origin << ": " << e.promql;
}

TEST(PromqlSources, FindsEveryRuleAndDropsAlertThresholds) {
  const auto recording = RuleExpressions("config/pping_recording_rules.yml");
  EXPECT_EQ(recording.size(), 9u);
  const auto alerts = RuleExpressions("config/pping_alert_rules.yml");
  ASSERT_GE(alerts.size(), 8u);
  EXPECT_EQ(alerts[0].promql, "up{job=\"pping-exporter\"}");
  // absent(): the series it reads; a comparison inside: each series.
  EXPECT_EQ(alerts[1].promql, "up{job=\"pping-exporter\"}");
  EXPECT_EQ(alerts[2].promql, "prefix:pping_queueing_delay_seconds:p95_5m");
  EXPECT_EQ(alerts[3].promql, "prefix:pping_rtt_seconds:p95_5m");
  EXPECT_EQ(alerts[4].promql, "prefix:pping_rtt_min_seconds:min_1h");
}

TEST(PromqlSources, UrlEncoding) { EXPECT_EQ(UrlEncode("a{b=\"c\"} > 1"), "a%7Bb%3D%22c%22%7D%20%3E%201"); }

}  // namespace
}  // namespace pping::testing
