// SPDX-License-Identifier: Apache-2.0
#include "exporter/console/event_reader.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "exporter/util/error.h"
#include "exporter/util/thread_privileges.h"

namespace pping {
namespace {

constexpr int kPollTimeoutMs = 100;  // bounds how long a stop request waits

}  // namespace

EventReader::EventReader(EventsMap events, Sink sink, Mode mode)
    : sink_(std::move(sink)),
      clock_(mode == Mode::kLive ? MonotonicToWallClock() : MonotonicToWallClock::ForCaptureTimes()),
      ring_(std::move(events), [this](const void* data, size_t size) { OnRecord(data, size); }) {
  if (mode == Mode::kReplay) return;
  thread_ = std::jthread([this](std::stop_token stop) {
    // Reading the ring takes no bpf() call: it is mapped memory.
    if (!BecomeUnprivilegedThread("pping-events")) {
      spdlog::warn("events: the reading thread keeps its capabilities: {}", std::strerror(errno));
    }
    while (!stop.stop_requested()) {
      const int n = ring_.Poll(kPollTimeoutMs);
      if (n < 0 && n != -EINTR) {
        spdlog::error("{}", ErrnoMessage("read events", n));
        return;
      }
    }
    ring_.Consume();  // what is left at shutdown
  });
}

EventReader::~EventReader() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void EventReader::OnRecord(const void* data, size_t size) {
  Event event;
  if (DecodeEvent(data, size, clock_, event)) sink_(event);
}

}  // namespace pping
