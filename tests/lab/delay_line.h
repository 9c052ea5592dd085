// SPDX-License-Identifier: Apache-2.0
// A delay line on a TUN device: every packet routed into the device comes
// back out of it `delay` later. The lab brings its own known delay this
// way, so that it needs no sch_netem in the kernel.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "exporter/util/unique_fd.h"

namespace pping {

class DelayLine {
 public:
  // Creates TUN device `tun_name` inside network namespace `netns`. With
  // `drop_every` N > 0, every Nth packet into the line is lost: a known,
  // repeatable loss.
  DelayLine(const std::string& netns, const std::string& tun_name, std::chrono::microseconds delay,
            unsigned drop_every = 0);
  ~DelayLine();
  DelayLine(const DelayLine&) = delete;
  DelayLine& operator=(const DelayLine&) = delete;

 private:
  void Run(std::stop_token stop);

  UniqueFd fd_;
  std::chrono::microseconds delay_;
  unsigned drop_every_;
  std::jthread thread_;
};

}  // namespace pping
