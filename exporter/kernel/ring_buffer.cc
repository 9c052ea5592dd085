// SPDX-License-Identifier: Apache-2.0
#include "exporter/kernel/ring_buffer.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <cerrno>

#include "exporter/util/error.h"

namespace pping {

void RingBuffer::Free(::ring_buffer* ring) { ring_buffer__free(ring); }

RingBuffer::RingBuffer(EventsMap map, Handler handler) : map_(std::move(map)), handler_(std::move(handler)) {
  ring_.reset(ring_buffer__new(map_.fd(), &RingBuffer::OnRecord, this, nullptr));
  if (!ring_) throw Error(ErrnoMessage("open the event ring buffer", errno));
}

RingBuffer::~RingBuffer() = default;

int RingBuffer::Poll(int timeout_ms) { return ring_buffer__poll(ring_.get(), timeout_ms); }

void RingBuffer::Consume() { ring_buffer__consume(ring_.get()); }

// Called from inside libbpf's C code: nothing may be thrown through it. A
// record the handler fails on is dropped and the failure logged.
int RingBuffer::OnRecord(void* self, void* data, size_t size) {
  try {
    static_cast<RingBuffer*>(self)->handler_(data, size);
  } catch (const std::exception& e) {
    spdlog::error("event record dropped: {}", e.what());
  }
  return 0;
}

}  // namespace pping
