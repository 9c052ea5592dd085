// SPDX-License-Identifier: Apache-2.0
#include "exporter/exposition/rtt_buckets.h"

#include <cmath>

#include "bpf/abi/rtt_histogram.h"
#include "exporter/util/error.h"

namespace pping {
namespace {

// Whether `us` lies on the grid 2^k x (1 + j/per_octave): the kernel edges
// that a coarser log-linear layout keeps.
bool OnGrid(uint64_t us, unsigned per_octave) {
  uint64_t octave = 1;
  while (octave * 2 <= us) octave *= 2;
  return ((us - octave) * per_octave) % octave == 0;
}

}  // namespace

RttBucketLayout::RttBucketLayout(const RttBucketOptions& options) {
  const unsigned p = options.per_octave;
  if (p != 1 && p != 2 && p != 4 && p != 8) {
    throw UsageError("--histogram.buckets-per-octave must be 1, 2, 4 or 8, not " + std::to_string(p));
  }
  if (!(options.min_seconds > 0) || !(options.max_seconds > options.min_seconds)) {
    throw UsageError("--histogram.min must be > 0 and below --histogram.max");
  }
  const auto min_us = static_cast<uint64_t>(std::llround(options.min_seconds * 1e6));
  const auto max_us = static_cast<uint64_t>(std::llround(options.max_seconds * 1e6));
  for (uint32_t b = 0; pp_hist_upper_bound_us(b) != 0; ++b) {
    const uint64_t us = pp_hist_upper_bound_us(b);
    if (us < min_us || us > max_us || !OnGrid(us, p)) continue;
    bounds_us_.push_back(us);
    le_texts_.push_back(MicrosecondsText(us));
    last_kernel_bucket_.push_back(b);
  }
  if (bounds_us_.empty()) {
    throw UsageError("--histogram.min/--histogram.max select no bucket bound (the kernel's range is 1 us to 33.5 s)");
  }
}

void RttBucketLayout::Cumulate(const std::array<uint64_t, PP_HIST_BUCKETS>& kernel, std::vector<uint64_t>& out) const {
  // Runs once per prefix per scrape over every kernel bucket: plain sums
  // over each bound's range of kernel buckets, no test per bucket.
  out.resize(last_kernel_bucket_.size() + 1);
  uint64_t running = 0;
  uint32_t b = 0;
  for (size_t i = 0; i < last_kernel_bucket_.size(); ++i) {
    for (; b <= last_kernel_bucket_[i]; ++b) running += kernel[b];
    out[i] = running;
  }
  for (; b < PP_HIST_BUCKETS; ++b) running += kernel[b];
  out.back() = running;  // +Inf
}

std::string MicrosecondsText(uint64_t us) {
  std::string fraction = std::to_string(1000000 + us % 1000000).substr(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  std::string text = std::to_string(us / 1000000);
  if (!fraction.empty()) text += "." + fraction;
  return text;
}

}  // namespace pping
