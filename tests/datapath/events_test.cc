// SPDX-License-Identifier: Apache-2.0
// RTT and flow events from the real programs through the ring buffer, and
// what happens when nobody reads it: events are dropped and counted, the
// datapath carries on.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <vector>

#include "exporter/events/event.h"
#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

std::vector<Event> Drain(int ringbuf_fd) {
  struct Context {
    MonotonicToWallClock clock;
    std::vector<Event> events;
  } context;
  ring_buffer* ring = ring_buffer__new(
      ringbuf_fd,
      [](void* ctx, void* data, size_t size) {
        auto* c = static_cast<Context*>(ctx);
        Event e;
        if (DecodeEvent(data, size, c->clock, e)) c->events.push_back(e);
        return 0;
      },
      &context, nullptr);
  EXPECT_NE(ring, nullptr);
  ring_buffer__consume(ring);
  ring_buffer__free(ring);
  return context.events;
}

Config WithEvents(unsigned buffer_bytes) {
  Config config = UnsampledConfig();
  config.output.format = "jsonl";
  config.output.events_buffer_bytes = buffer_bytes;
  return config;
}

TEST_F(DatapathTest, FlowOpeningAndRttEventsCarryTheFlowAndCounters) {
  Load(WithEvents(1 << 16));
  Egress(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)));
  Ingress(BuildTcp(In4(kAck | kPsh, 900, 100, 10)));
  const std::vector<Event> events = Drain(datapath().events_fd());
  ASSERT_EQ(events.size(), 2u);
  const auto& open = std::get<FlowEvent>(events[0]);
  EXPECT_TRUE(open.opening);
  EXPECT_EQ(open.reason, "first observed packet");
  EXPECT_EQ(open.triggered_by, "src");
  EXPECT_EQ(AddressText(open.flow.src), kLocal4);
  const auto& rtt = std::get<RttEvent>(events[1]);
  EXPECT_EQ(AddressText(rtt.flow.src), kLocal4);  // the stamped sender first
  EXPECT_EQ(rtt.flow.src_port, 40000);
  EXPECT_EQ(AddressText(rtt.flow.dst), kRemote4);
  EXPECT_EQ(rtt.flow.dst_port, 80);
  EXPECT_GT(rtt.rtt.count(), 0);
  EXPECT_EQ(rtt.min_rtt, rtt.rtt);
  EXPECT_EQ(rtt.sent_packets, 1u);
  EXPECT_EQ(rtt.rec_packets, 1u);
  EXPECT_FALSE(rtt.match_on_egress);
  EXPECT_EQ(Counters().events_lost, 0u);
}

TEST_F(DatapathTest, ClosingEventSaysWhichSideTriggeredIt) {
  Load(WithEvents(1 << 16));
  Egress(BuildTcp(Out4(kAck | kPsh, 1, 9, 100)));
  Ingress(BuildTcp(In4(kRst, 90, 0)));
  const std::vector<Event> events = Drain(datapath().events_fd());
  ASSERT_EQ(events.size(), 2u);
  const auto& close = std::get<FlowEvent>(events[1]);
  EXPECT_FALSE(close.opening);
  EXPECT_EQ(close.reason, "RST");
  EXPECT_EQ(close.triggered_by, "dest");
}

TEST_F(DatapathTest, NoEventsUnlessAsked) {
  Egress(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)));
  Ingress(BuildTcp(In4(kAck, 900, 100)));
  EXPECT_TRUE(Drain(datapath().events_fd()).empty());
}

TEST_F(DatapathTest, FullRingBufferDropsAndCountsEventsWithoutStalling) {
  Load(WithEvents(4096));  // room for a few dozen events, and no reader
  for (uint16_t seq = 0; seq < 200; ++seq) {
    Egress(BuildEcho(kLocal4, kRemote4, true, 1, seq));
    Ingress(BuildEcho(kRemote4, kLocal4, false, 1, seq));
  }
  const GlobalCounters c = Counters();
  EXPECT_EQ(c.rtt_samples, 200u);  // every sample still reached the histograms
  EXPECT_GT(c.events_lost, 100u);
  EXPECT_EQ(Stats("192.0.2.0", 96 + 24, PP_PROTO_ICMP).rtt_count, 200u);
}

}  // namespace
}  // namespace pping::testing
