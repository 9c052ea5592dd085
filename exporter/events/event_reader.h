// SPDX-License-Identifier: Apache-2.0
// Drains the datapath's event ring buffer on its own thread and hands each
// decoded event to a sink. The datapath never waits for this reader: when
// it falls behind, the kernel drops events and counts them.
#pragma once

#include <functional>
#include <thread>

#include "exporter/events/event.h"

struct ring_buffer;

namespace pping {

class EventReader {
 public:
  using Sink = std::function<void(const Event&)>;

  // Throws Error if the ring buffer cannot be opened.
  EventReader(int ringbuf_fd, Sink sink);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

 private:
  static int OnRecord(void* self, void* data, size_t size);

  Sink sink_;
  MonotonicToWallClock clock_;
  ::ring_buffer* ring_ = nullptr;
  std::jthread thread_;
};

}  // namespace pping
