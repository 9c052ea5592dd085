// SPDX-License-Identifier: Apache-2.0
// A known prefix and its text, shared by the exposition tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "exporter/exposition/prefix_exposition.h"
#include "exporter/exposition/rtt_buckets.h"
#include "exporter/stats/aggregator.h"

namespace pping::testing {

// 192.0.2.0/24 TCP with four RTTs (3 us, 5 us, 20 ms, 40 ms) and traffic.
PrefixSnapshot TcpPrefix();

// The per-prefix families of `prefixes` (each in its slot) into `out`, as a
// scrape writes them.
void WritePrefixes(PrefixExposition& exposition, TextBuffer& out,
                   const std::vector<std::pair<uint32_t, PrefixSnapshot>>& prefixes);
// The same with a fresh writer, the prefixes in slots 0, 1, ...
std::string RenderPrefixes(const std::vector<PrefixSnapshot>& prefixes, const RttBucketOptions& buckets = {});

}  // namespace pping::testing
