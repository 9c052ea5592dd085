// SPDX-License-Identifier: Apache-2.0
// Looks at a running exporter from outside: feeds crafted packets to its
// loaded programs, and reads its memory and CPU time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/packet_builder.h"

namespace pping::bench {

// Ids of the tc programs (pping_tc_*) process `pid` holds: a running
// exporter's, never another's of the same name.
std::vector<uint32_t> TcProgramIdsOf(pid_t pid);

// Runs a frame `repeat` times through a program (BPF_PROG_TEST_RUN);
// returns the kernel's mean ns per run, or -1 if the run failed.
double RunFrame(int prog_fd, const testing::Frame& frame, unsigned repeat = 1);

struct MemoryUse {
  double rss_mib = 0;       // user space
  double bpf_maps_mib = 0;  // kernel: memlock of the maps it holds
};
MemoryUse MemoryOf(pid_t pid);

// utime + stime of a process, in seconds.
double CpuSeconds(pid_t pid);

// CPU time all CPUs spent busy (user, nice, system, irq, softirq; not idle,
// iowait or steal) since boot, in seconds.
double BusyCpuSeconds();

struct ProgramStats {
  unsigned id = 0;
  std::string name;
  unsigned long long run_cnt = 0;
  unsigned long long run_time_ns = 0;
};
// bpf_stats of the programs `ids` (those still loaded).
std::vector<ProgramStats> ProgramStatsOf(const std::vector<uint32_t>& ids);

}  // namespace pping::bench
