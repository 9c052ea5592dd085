// SPDX-License-Identifier: Apache-2.0
#include "tests/prometheus/promql_sources.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

namespace pping::testing {
namespace {

std::string SubstituteGrafanaVariables(std::string expr) {
  static const std::vector<std::pair<std::regex, std::string>> kVariables = {
      {std::regex(R"(\$__rate_interval)"), "1m"},
      {std::regex(R"(\$__interval)"), "15s"},
      {std::regex(R"(\$\{?topn\}?)"), "10"},
      {std::regex(R"(\$\{?(node|prefix|job|protocol)\}?)"), ".+"},
  };
  for (const auto& [pattern, value] : kVariables) expr = std::regex_replace(expr, pattern, value);
  return expr;
}

// label_values(selector, label) -> selector
std::string LabelValuesSelector(const std::string& query) {
  static const std::regex kLabelValues(R"(^label_values\((.*),\s*[a-zA-Z_]+\)$)");
  std::smatch m;
  return std::regex_match(query, m, kLabelValues) ? m[1].str() : query;
}

std::string StripTrailingThreshold(const std::string& expr) {
  static const std::regex kThreshold(R"(\s*(==|!=|>=|<=|>|<)\s*[-+0-9.eE]+\s*$)");
  return std::regex_replace(expr, kThreshold, "");
}

// A comparison between two vectors or a vector and a number.
const std::regex kComparison(R"(\s(==|!=|>=|<=|>|<)\s)");

// The series an expression reads: metric and recording rule names with
// their label matchers, PromQL's functions and keywords left out.
std::vector<std::string> SeriesIn(const std::string& expr) {
  static const std::regex kSelector(R"((up|[a-z_]*pping_[a-z_:]*|prefix:[a-z_:0-9]+)(\{[^}]*\})?)");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kSelector); it != std::sregex_iterator(); ++it) {
    const std::string series = it->str();
    if (std::find(out.begin(), out.end(), series) == out.end()) out.push_back(series);
  }
  return out;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::vector<Expression> DashboardExpressions(const std::string& path) {
  std::ifstream in(path);
  const nlohmann::json dashboard = nlohmann::json::parse(in);
  std::vector<Expression> out;
  for (const auto& panel : dashboard.at("panels")) {
    for (const auto& target : panel.value("targets", nlohmann::json::array())) {
      out.push_back({path + ": " + panel.at("title").get<std::string>(),
                     SubstituteGrafanaVariables(target.at("expr").get<std::string>())});
    }
  }
  for (const auto& variable : dashboard.at("templating").at("list")) {
    if (variable.value("type", "") != "query") continue;
    out.push_back({path + ": variable " + variable.at("name").get<std::string>(),
                   SubstituteGrafanaVariables(LabelValuesSelector(variable.at("query").get<std::string>()))});
  }
  return out;
}

std::vector<Expression> RuleExpressions(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<Expression> out;
  std::string name;
  bool alert = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string t = Trim(lines[i]);
    for (const char* key : {"- record:", "- alert:"}) {
      if (t.rfind(key, 0) != 0) continue;
      name = Trim(t.substr(std::string(key).size()));
      alert = std::string(key) == "- alert:";
    }
    if (t.rfind("expr:", 0) != 0) continue;
    std::string expr = Trim(t.substr(5));
    if (expr == ">-" || expr == ">") {
      // A folded scalar: the lines indented below it, joined by spaces.
      const size_t indent = lines[i].find_first_not_of(' ');
      expr.clear();
      while (i + 1 < lines.size() && lines[i + 1].find_first_not_of(' ') > indent && !Trim(lines[i + 1]).empty()) {
        expr += (expr.empty() ? "" : " ") + Trim(lines[++i]);
      }
    }
    expr = StripTrailingThreshold(expr);
    // An alert whose condition is more than a final threshold (absent(),
    // a comparison inside) returns data only while it fires: each series
    // it reads must return data instead.
    if (alert && (expr.find("absent(") != std::string::npos || std::regex_search(expr, kComparison))) {
      for (const std::string& series : SeriesIn(expr)) out.push_back({path + ": " + name + " reads " + series, series});
      continue;
    }
    out.push_back({path + ": " + name, expr});
  }
  return out;
}

std::string UrlEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace pping::testing
