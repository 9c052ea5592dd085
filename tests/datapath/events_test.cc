// SPDX-License-Identifier: Apache-2.0
// RTT and flow events from the real programs through the ring buffer, and
// what happens when nobody reads it: events are dropped and counted, the
// datapath carries on.
#include <gtest/gtest.h>

#include <vector>

#include "exporter/console/event.h"
#include "exporter/kernel/ring_buffer.h"
#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

// The events waiting in the ring buffer, read through the exporter's own
// ring-buffer owner.
std::vector<Event> Drain(const Datapath& datapath) {
  const MonotonicToWallClock clock;
  std::vector<Event> events;
  RingBuffer ring(datapath.events(), [&](const void* data, size_t size) {
    Event e;
    if (DecodeEvent(data, size, clock, e)) events.push_back(e);
  });
  ring.Consume();
  return events;
}

DatapathOptions WithEvents(unsigned buffer_bytes) {
  DatapathOptions options = UnsampledOptions();
  options.emit_events = true;
  options.events_buffer_bytes = buffer_bytes;
  return options;
}

TEST_F(DatapathTest, FlowOpeningAndRttEventsCarryTheFlowAndCounters) {
  Load(WithEvents(1 << 16));
  Egress(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)));
  Ingress(BuildTcp(In4(kAck | kPsh, 900, 100, 10)));
  const std::vector<Event> events = Drain(datapath());
  ASSERT_EQ(events.size(), 2u);
  const auto& open = std::get<FlowEvent>(events[0]);
  EXPECT_TRUE(open.opening);
  EXPECT_EQ(open.reason, FlowChange::kFirstPacket);
  EXPECT_EQ(open.triggered_by, Trigger::kSource);
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
  const std::vector<Event> events = Drain(datapath());
  ASSERT_EQ(events.size(), 2u);
  const auto& close = std::get<FlowEvent>(events[1]);
  EXPECT_FALSE(close.opening);
  EXPECT_EQ(close.reason, FlowChange::kRst);
  EXPECT_EQ(close.triggered_by, Trigger::kDestination);
}

TEST_F(DatapathTest, NoEventsUnlessAsked) {
  Egress(BuildTcp(Out4(kAck | kPsh, 100, 50, 200)));
  Ingress(BuildTcp(In4(kAck, 900, 100)));
  EXPECT_TRUE(Drain(datapath()).empty());
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
