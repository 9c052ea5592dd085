// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/exporter_probe.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "exporter/util/owned.h"
#include "exporter/util/unique_fd.h"
#include "tests/support/bpf_objects.h"

namespace pping::bench {

std::vector<uint32_t> TcProgramIdsOf(pid_t pid) {
  std::vector<uint32_t> ids;
  for (const uint32_t id : testing::ProgramIdsHeldBy(pid)) {
    if (testing::ProgramName(id).starts_with("pping_tc_")) ids.push_back(id);
  }
  return ids;
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
  // A map is counted once however many descriptors of it the process holds
  // (its readers each keep one of their own).
  std::set<unsigned long> maps;
  const std::string fdinfo = "/proc/" + std::to_string(pid) + "/fdinfo";
  const Owned<DIR, closedir> dir(opendir(fdinfo.c_str()));
  for (dirent* e; dir && (e = readdir(dir.get()));) {
    std::ifstream info(fdinfo + "/" + e->d_name);
    unsigned long id = 0;
    double memlock = 0;
    for (std::string line; std::getline(info, line);) {
      if (line.rfind("map_id:", 0) == 0) id = std::stoul(line.substr(7));
      if (line.rfind("memlock:", 0) == 0) memlock = std::stod(line.substr(8));
    }
    if (id != 0 && maps.insert(id).second) use.bpf_maps_mib += memlock / (1024.0 * 1024.0);
  }
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

std::vector<ProgramStats> ProgramStatsOf(const std::vector<uint32_t>& ids) {
  std::vector<ProgramStats> out;
  for (const uint32_t id : ids) {
    const UniqueFd fd(bpf_prog_get_fd_by_id(id));
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (fd && bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0) {
      out.push_back({info.id, info.name, info.run_cnt, info.run_time_ns});
    }
  }
  return out;
}

}  // namespace pping::bench
