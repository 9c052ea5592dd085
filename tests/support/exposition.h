// SPDX-License-Identifier: Apache-2.0
// Reads Prometheus text exposition in tests: sample lookup by name and
// labels, and histogram quantiles computed the way histogram_quantile does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pping::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

std::vector<Sample> ParseExposition(const std::string& text);

// GETs /metrics from 127.0.0.1:port and parses it; empty if nothing answers.
std::vector<Sample> ScrapeMetrics(int port);

// First sample with this name whose labels include all of `match`.
std::optional<double> FindValue(const std::vector<Sample>& samples, const std::string& name,
                                const std::map<std::string, std::string>& match);

// Quantile q of histogram `name` (without _bucket) for the series matching
// `match`, interpolating linearly inside the bucket; nullopt if no samples.
std::optional<double> HistogramQuantile(const std::vector<Sample>& samples, const std::string& name,
                                        const std::map<std::string, std::string>& match, double q);

// Cumulative count of the first bucket whose bound is >= `bound`: every
// sample counted there is at most that bucket's bound.
std::optional<double> CountUpTo(const std::vector<Sample>& samples, const std::string& name,
                                const std::map<std::string, std::string>& match, double bound);

}  // namespace pping::testing
