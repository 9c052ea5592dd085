// SPDX-License-Identifier: Apache-2.0
// A known prefix and its text, shared by the exposition tests.
#pragma once

#include <string>
#include <vector>

#include "exporter/exposition/rtt_buckets.h"
#include "exporter/stats/aggregator.h"

namespace pping::testing {

// 192.0.2.0/24 TCP with four RTTs (3 us, 5 us, 20 ms, 40 ms) and traffic.
PrefixSnapshot TcpPrefix();

// The per-prefix families of `prefixes`, written as a scrape writes them.
std::string RenderPrefixes(const std::vector<PrefixSnapshot>& prefixes, const RttBucketOptions& buckets = {});

}  // namespace pping::testing
