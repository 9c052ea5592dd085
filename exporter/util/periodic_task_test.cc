// SPDX-License-Identifier: Apache-2.0
// A task that keeps failing is logged once, not on every tick, and its
// recovery is logged.
#include "exporter/util/periodic_task.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pping {
namespace {

using namespace std::chrono_literals;

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(PeriodicTask, ARunOfFailuresIsLoggedOnceAndItsEndToo) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  std::atomic<int> runs{0};
  {
    PeriodicTask task("flaky", 1ms, [&runs] {
      if (++runs <= 30) throw std::runtime_error("read counters: no such map");
    });
    while (runs < 40) std::this_thread::sleep_for(1ms);
  }
  spdlog::set_default_logger(previous);
  const std::string text = log.str();
  EXPECT_EQ(Count(text, "flaky: read counters: no such map"), 1u) << text;
  EXPECT_EQ(Count(text, "flaky: works again after 30 failures"), 1u) << text;
}

}  // namespace
}  // namespace pping
