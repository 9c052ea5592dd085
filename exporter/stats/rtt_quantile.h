// SPDX-License-Identifier: Apache-2.0
// Quantiles of a kernel RTT histogram, interpolating linearly inside the
// bucket (as Prometheus' histogram_quantile does), for the console view.
#pragma once

#include "exporter/stats/prefix_stats.h"

namespace pping {

// q in [0, 1]; 0 when the histogram is empty. Clamped to the observed
// min/max, which are exact.
double RttQuantileSeconds(const PrefixStats& stats, double q);

}  // namespace pping
