// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace pping {
namespace {

// The system's boot time, seconds since the epoch (/proc/stat "btime").
std::optional<double> BootTime() {
  std::ifstream stat("/proc/stat");
  for (std::string line; std::getline(stat, line);) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessStats> ReadProcessStats() {
  std::ifstream file("/proc/self/stat");
  std::string stat;
  if (!std::getline(file, stat)) return std::nullopt;
  // The command name, in parentheses, may hold spaces: fields are counted
  // from the last ')', the third field (state) coming first.
  const size_t after_name = stat.rfind(')');
  if (after_name == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(after_name + 2));
  std::string field;
  ProcessStats out;
  unsigned long long utime = 0, stime = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
  for (int number = 3; number <= 24 && fields >> field; ++number) {
    if (number == 14) utime = std::stoull(field);
    if (number == 15) stime = std::stoull(field);
    if (number == 22) start_ticks = std::stoull(field);
    if (number == 23) vsize = std::stoull(field);
    if (number == 24) rss_pages = std::stoull(field);
  }
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const auto boot = BootTime();
  if (ticks <= 0 || !boot) return std::nullopt;
  out.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  out.start_time_seconds = *boot + static_cast<double>(start_ticks) / ticks;
  out.virtual_bytes = vsize;
  out.resident_bytes = rss_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++out.open_fds;
  }
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) out.max_fds = files.rlim_cur;
  return out;
}

}  // namespace pping
