// SPDX-License-Identifier: Apache-2.0
#include "tests/lab/delay_line.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include "exporter/util/error.h"
#include "exporter/util/netns.h"

namespace pping {
namespace {

using Clock = std::chrono::steady_clock;

struct HeldPacket {
  Clock::time_point due;
  std::vector<uint8_t> bytes;
};

constexpr auto kIdlePoll = std::chrono::milliseconds(50);  // bounds stop latency

timespec ToTimespec(Clock::duration d) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::max(d, Clock::duration::zero()));
  return {static_cast<time_t>(ns.count() / 1000000000), static_cast<long>(ns.count() % 1000000000)};
}

}  // namespace

DelayLine::DelayLine(const std::string& netns, const std::string& tun_name, std::chrono::microseconds delay,
                     unsigned drop_every)
    : delay_(delay), drop_every_(drop_every) {
  NetnsScope scope(netns);  // the device is created in the caller's namespace
  fd_.reset(open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd_) throw Error(ErrnoMessage("open /dev/net/tun", errno));
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(request.ifr_name, tun_name.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd_.get(), TUNSETIFF, &request) != 0) throw Error(ErrnoMessage("create TUN device " + tun_name, errno));
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

DelayLine::~DelayLine() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void DelayLine::Run(std::stop_token stop) {
  std::deque<HeldPacket> held;
  std::vector<uint8_t> buffer(65536);
  uint64_t packets = 0;
  while (!stop.stop_requested()) {
    const auto now = Clock::now();
    const timespec timeout = ToTimespec(held.empty() ? Clock::duration(kIdlePoll) : held.front().due - now);
    pollfd pfd{fd_.get(), POLLIN, 0};
    ppoll(&pfd, 1, &timeout, nullptr);
    for (ssize_t n; (n = read(fd_.get(), buffer.data(), buffer.size())) > 0;) {
      if (drop_every_ && ++packets % drop_every_ == 0) continue;
      held.push_back({Clock::now() + delay_, std::vector<uint8_t>(buffer.begin(), buffer.begin() + n)});
    }
    while (!held.empty() && held.front().due <= Clock::now()) {
      // A write that fails (queue full) drops the packet, as a real link would.
      (void)!write(fd_.get(), held.front().bytes.data(), held.front().bytes.size());
      held.pop_front();
    }
  }
}

}  // namespace pping
