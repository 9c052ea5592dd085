// SPDX-License-Identifier: Apache-2.0
// Drains the datapath's event ring buffer on its own thread and hands each
// decoded event to a sink. The datapath never waits for this reader: when
// it falls behind, the kernel drops events and counts them.
#pragma once

#include <functional>
#include <thread>

#include "exporter/console/event.h"
#include "exporter/kernel/ring_buffer.h"

namespace pping {

class EventReader {
 public:
  using Sink = std::function<void(const Event&)>;

  // Live: a thread of its own drains the ring buffer, and event times are
  // the monotonic clock's. Replay: the caller drains it (Drain) after each
  // packet, so no event is lost, and event times are the capture's.
  enum class Mode { kLive, kReplay };

  // Throws Error if the ring buffer cannot be opened.
  EventReader(EventsMap events, Sink sink, Mode mode = Mode::kLive);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // Hands over every event waiting (replay mode).
  void Drain() { ring_.Consume(); }

 private:
  void OnRecord(const void* data, size_t size);

  Sink sink_;
  MonotonicToWallClock clock_;
  RingBuffer ring_;
  std::jthread thread_;  // stopped and joined first
};

}  // namespace pping
