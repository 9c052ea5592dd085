// SPDX-License-Identifier: Apache-2.0
// Collects every PromQL expression the project ships: Grafana panel
// targets and variable queries, and recording/alert rule expressions, in a
// form a plain Prometheus query accepts.
#pragma once

#include <string>
#include <vector>

namespace pping::testing {

struct Expression {
  std::string origin;  // "dashboards/pping.json: RTT p50" etc., for messages
  std::string promql;
};

// Grafana variables ($node, $__rate_interval, ...) replaced by values that
// match everything; label_values(...) queries turned into their selector.
std::vector<Expression> DashboardExpressions(const std::string& dashboard_json_path);

// `expr:` values of a rules file (one line, or folded with >-). For
// alerts, a trailing comparison with a number is dropped, so the query
// shows whether the underlying series exist rather than whether it fires;
// an alert with absent() or a comparison inside gives each series it reads.
std::vector<Expression> RuleExpressions(const std::string& rules_path);

std::string UrlEncode(const std::string& text);

}  // namespace pping::testing
