// SPDX-License-Identifier: Apache-2.0
// The scrape source over a real aggregator, fed by fake kernel instances.
#include "exporter/exposition/collector.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>
#include <memory>
#include <string>

#include "bpf/abi/rtt_histogram.h"
#include "exporter/exposition/exposition_stream.h"
#include "exporter/exposition/text_buffer.h"
#include "exporter/stats/fake_aggregation_source.h"

namespace pping {
namespace {

// Several of the collector's batches of prefixes per hold of the lock.
constexpr unsigned kPrefixes = 2000;

std::string PrefixText(unsigned i) {
  char text[32];
  std::snprintf(text, sizeof(text), "2001:db8:%x::", i);
  return text;
}

PrefixKey Key(unsigned i) {
  PrefixKey key;
  key.prefix = ParseAddress(PrefixText(i));
  key.prefix_len = 48;
  key.proto_class = PP_PROTO_TCP;
  return key;
}

// Traffic and one RTT sample of 10 ms: a prefix with a histogram.
PrefixStats Sampled() {
  PrefixStats s;
  s.rx_packets = 10;
  s.rx_bytes = 1000;
  s.rtt_count = 1;
  s.rtt_sum_ns = s.rtt_min_ns = s.rtt_max_ns = 10'000'000;
  s.rtt_buckets[pp_hist_bucket(10'000)] = 1;
  return s;
}

// A client that takes the first `accept` pieces, then goes away.
struct Client {
  size_t accept = std::numeric_limits<size_t>::max();
  size_t pieces = 0;
  std::string received;
  ExpositionStream::Send AsSend() {
    return [this](std::string_view piece) {
      if (pieces == accept) return false;
      ++pieces;
      received += piece;
      return true;
    };
  }
};

class CollectorTest : public ::testing::Test {
 protected:
  CollectorTest() {
    for (unsigned i = 0; i < kPrefixes; ++i) kernel_.Write(Key(i), Sampled());
    aggregator_.Sync();
  }

  // One scrape into `client`, in pieces of `piece_bytes`; returns the bytes
  // written that never reached it.
  size_t Scrape(Client& client, size_t piece_bytes) {
    PpingCollector collector(
        aggregator_, [] { return GlobalCounters{}; }, [] { return CleanupStats{}; }, [] { return AttachmentReport{}; },
        MapSizes{}, PrefixExposition(RttBucketLayout(RttBucketOptions{})));
    TextBuffer text;
    ExpositionStream out(text, client.AsSend(), piece_bytes);
    collector.AppendExposition(out);
    out.Flush();
    return out.unsent_bytes();
  }

  FakeInstances kernel_;
  Aggregator aggregator_{kernel_};
};

TEST_F(CollectorTest, WritesEveryPrefixToAClientThatStays) {
  Client client;
  EXPECT_EQ(Scrape(client, 4096), 0u);
  EXPECT_NE(client.received.find("pping_exporter_tracked_prefixes " + std::to_string(kPrefixes) + "\n"),
            std::string::npos);
  EXPECT_NE(client.received.find(PrefixText(kPrefixes - 1) + "/48"), std::string::npos)
      << "the last prefix is in the body";
  EXPECT_NE(client.received.find("\nprocess_resident_memory_bytes "), std::string::npos) << "the process itself";
}

TEST_F(CollectorTest, StopsWritingPrefixesOnceTheClientIsGone) {
  Client stays;
  Scrape(stays, 4096);
  Client leaves;
  leaves.accept = 1;
  const size_t unsent = Scrape(leaves, 4096);
  ASSERT_EQ(leaves.pieces, 1u);
  // The batch whose piece was refused is written; the rest is not.
  EXPECT_GT(unsent, 0u);
  EXPECT_LT(leaves.received.size() + unsent, stays.received.size() / 3)
      << "the walk went on for a client that had gone";
}

}  // namespace
}  // namespace pping
