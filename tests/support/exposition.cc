// SPDX-License-Identifier: Apache-2.0
#include "tests/support/exposition.h"

#include "tests/support/http_get.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace pping::testing {
namespace {

// Parses `{a="x",b="y"}`; label values in our output never hold quotes.
std::map<std::string, std::string> ParseLabels(const std::string& text) {
  std::map<std::string, std::string> labels;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t eq = text.find("=\"", pos);
    const size_t end = text.find('"', eq + 2);
    if (eq == std::string::npos || end == std::string::npos) break;
    labels[text.substr(pos, eq - pos)] = text.substr(eq + 2, end - eq - 2);
    pos = end + 1;
    if (pos < text.size() && text[pos] == ',') ++pos;
  }
  return labels;
}

bool Matches(const Sample& s, const std::string& name, const std::map<std::string, std::string>& match) {
  if (s.name != name) return false;
  return std::all_of(match.begin(), match.end(), [&](const auto& kv) {
    auto it = s.labels.find(kv.first);
    return it != s.labels.end() && it->second == kv.second;
  });
}

}  // namespace

std::vector<Sample> ParseExposition(const std::string& text) {
  std::vector<Sample> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    const size_t brace = line.find('{');
    const size_t space = line.rfind(' ');
    if (brace != std::string::npos && brace < space) {
      s.name = line.substr(0, brace);
      s.labels = ParseLabels(line.substr(brace + 1, line.rfind('}') - brace - 1));
    } else {
      s.name = line.substr(0, space);
    }
    s.value = std::stod(line.substr(space + 1));
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Sample> ScrapeMetrics(int port) {
  const auto response = HttpGet(port, "/metrics");
  return response ? ParseExposition(response->body) : std::vector<Sample>{};
}

std::optional<double> FindValue(const std::vector<Sample>& samples, const std::string& name,
                                const std::map<std::string, std::string>& match) {
  for (const auto& s : samples) {
    if (Matches(s, name, match)) return s.value;
  }
  return std::nullopt;
}

std::optional<double> HistogramQuantile(const std::vector<Sample>& samples, const std::string& name,
                                        const std::map<std::string, std::string>& match, double q) {
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count)
  for (const auto& s : samples) {
    if (Matches(s, name + "_bucket", match)) buckets.emplace_back(std::stod(s.labels.at("le")), s.value);
  }
  std::sort(buckets.begin(), buckets.end());
  if (buckets.empty() || buckets.back().second == 0) return std::nullopt;
  const double rank = q * buckets.back().second;
  double lower = 0, below = 0;
  for (const auto& [le, count] : buckets) {
    if (count >= rank) {
      if (std::isinf(le)) return lower;
      return lower + (le - lower) * (rank - below) / std::max(count - below, 1e-12);
    }
    lower = le;
    below = count;
  }
  return std::nullopt;
}

std::optional<double> CountUpTo(const std::vector<Sample>& samples, const std::string& name,
                                const std::map<std::string, std::string>& match, double bound) {
  std::optional<std::pair<double, double>> best;  // (le, count)
  for (const auto& s : samples) {
    if (!Matches(s, name + "_bucket", match)) continue;
    const double le = std::stod(s.labels.at("le"));
    if (le >= bound && (!best || le < best->first)) best = std::make_pair(le, s.value);
  }
  if (!best) return std::nullopt;
  return best->second;
}

}  // namespace pping::testing
