// SPDX-License-Identifier: Apache-2.0
// The consumer side of the datapath's event ring buffer, owned: the
// libbpf ring_buffer object is freed with its owner, and the map it reads
// stays referenced for as long.
#pragma once

#include <cstddef>
#include <functional>

#include "exporter/kernel/maps.h"
#include "exporter/util/owned.h"

struct ring_buffer;

namespace pping {

class RingBuffer {
 public:
  // Called for each record, on the thread that polls.
  using Handler = std::function<void(const void* data, size_t size)>;

  // Throws Error if the ring buffer cannot be opened.
  RingBuffer(EventsMap map, Handler handler);
  ~RingBuffer();
  RingBuffer(const RingBuffer&) = delete;
  RingBuffer& operator=(const RingBuffer&) = delete;

  // Waits up to `timeout_ms` for records and hands them over; returns how
  // many, or a negative errno.
  int Poll(int timeout_ms);
  // Hands over whatever is there without waiting.
  void Consume();

 private:
  static int OnRecord(void* self, void* data, size_t size);
  static void Free(::ring_buffer* ring);

  EventsMap map_;
  Handler handler_;
  Owned<::ring_buffer, &RingBuffer::Free> ring_;
};

}  // namespace pping
