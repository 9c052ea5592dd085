// SPDX-License-Identifier: Apache-2.0
// Order statistics of measured samples, shared by every benchmark part.
#pragma once

#include <algorithm>
#include <vector>

namespace pping::bench {

// The sample at fraction `q` (0..1) of the sorted samples; `v` must not be empty.
inline double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

inline double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

}  // namespace pping::bench
