// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/exporter_probe.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/support/root.h"

namespace pping::bench {

using testing::ForEachLoadedProgram;

int NewestProgramFd(const std::string& name) {
  int best = -1;
  __u32 best_id = 0;
  ForEachLoadedProgram([&](int fd, const bpf_prog_info& info) {
    if (name.compare(0, 15, info.name) != 0 || info.id < best_id) return false;
    if (best >= 0) close(best);
    best = fd;
    best_id = info.id;
    return true;  // keep this fd open
  });
  return best;
}

double RunFrame(int prog_fd, const testing::Frame& frame, unsigned repeat) {
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<__u32>(frame.size());
  opts.repeat = repeat;
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) return -1;
  return opts.duration;
}

MemoryUse MemoryOf(pid_t pid) {
  MemoryUse use;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) use.rss_mib = std::stod(line.substr(6)) / 1024.0;
  }
  const std::string fdinfo = "/proc/" + std::to_string(pid) + "/fdinfo";
  DIR* dir = opendir(fdinfo.c_str());
  for (dirent* e; dir && (e = readdir(dir));) {
    std::ifstream info(fdinfo + "/" + e->d_name);
    bool map = false;
    double memlock = 0;
    for (std::string line; std::getline(info, line);) {
      if (line.rfind("map_type:", 0) == 0) map = true;
      if (line.rfind("memlock:", 0) == 0) memlock = std::stod(line.substr(8));
    }
    if (map) use.bpf_maps_mib += memlock / (1024.0 * 1024.0);
  }
  if (dir) closedir(dir);
  return use;
}

double CpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double BusyCpuSeconds() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq;
  if (cpu != "cpu") return 0;
  return static_cast<double>(user + nice + system + irq + softirq) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::vector<ProgramStats> ProgramStatsWithPrefix(const std::string& prefix) {
  std::vector<ProgramStats> out;
  ForEachLoadedProgram([&](int, const bpf_prog_info& info) {
    const std::string name = info.name;
    if (name.rfind(prefix, 0) == 0) out.push_back({info.id, name, info.run_cnt, info.run_time_ns});
    return false;
  });
  return out;
}

}  // namespace pping::bench
