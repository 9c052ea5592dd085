// SPDX-License-Identifier: Apache-2.0
#include "exporter/events/event_reader.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <cerrno>

#include "exporter/error.h"

namespace pping {
namespace {

constexpr int kPollTimeoutMs = 100;  // bounds how long a stop request waits

}  // namespace

EventReader::EventReader(int ringbuf_fd, Sink sink) : sink_(std::move(sink)) {
  ring_ = ring_buffer__new(ringbuf_fd, &EventReader::OnRecord, this, nullptr);
  if (!ring_) throw Error(ErrnoMessage("open the event ring buffer", errno));
  thread_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      const int n = ring_buffer__poll(ring_, kPollTimeoutMs);
      if (n < 0 && n != -EINTR) {
        spdlog::error("{}", ErrnoMessage("read events", n));
        return;
      }
    }
    ring_buffer__consume(ring_);  // what is left at shutdown
  });
}

EventReader::~EventReader() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  ring_buffer__free(ring_);
}

int EventReader::OnRecord(void* self, void* data, size_t size) {
  auto* reader = static_cast<EventReader*>(self);
  Event event;
  if (DecodeEvent(data, size, reader->clock_, event)) reader->sink_(event);
  return 0;
}

}  // namespace pping
