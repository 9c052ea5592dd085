// SPDX-License-Identifier: Apache-2.0
// Which `le` bounds pping_rtt_seconds exports. The kernel keeps fine
// buckets (8 per octave, PP_HIST_BUCKETS); exporting all of them makes
// every series long and a scrape of many prefixes slow. The exported bounds are a
// subset of the kernel's bucket edges (a grid of N per octave within a
// range), so every exported count is exact: no interpolation, no rounding.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "bpf/abi/pping_abi.h"

namespace pping {

struct RttBucketOptions {
  unsigned per_octave = 2;     // 1, 2, 4 or 8 (the kernel's resolution)
  double min_seconds = 32e-6;  // first bound: at least this
  double max_seconds = 8.4;    // last finite bound: at most this
};

class RttBucketLayout {
 public:
  // Throws UsageError when the options select no bound or are malformed.
  explicit RttBucketLayout(const RttBucketOptions& options);

  // Ascending finite bounds in microseconds; +Inf follows implicitly.
  const std::vector<uint64_t>& bounds_us() const { return bounds_us_; }
  // The same bounds as `le` label values in seconds ("0.000032", "8.388608").
  const std::vector<std::string>& le_texts() const { return le_texts_; }

  // Cumulative counts at each bound, then the total (+Inf) last.
  void Cumulate(const std::array<uint64_t, PP_HIST_BUCKETS>& kernel, std::vector<uint64_t>& out) const;

 private:
  std::vector<uint64_t> bounds_us_;
  std::vector<std::string> le_texts_;
  std::vector<uint32_t> last_kernel_bucket_;  // per bound: the kernel bucket ending there
};

// Exact decimal seconds of a whole number of microseconds: 32 -> "0.000032".
std::string MicrosecondsText(uint64_t us);

}  // namespace pping
