// SPDX-License-Identifier: Apache-2.0
#include "exporter/cleanup_iterators.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

#include "bpf/cleanup_bpf.skel.h"
#include "exporter/error.h"

namespace pping {
namespace {

constexpr uint64_t kNsPerMs = 1'000'000;

bpf_link* AttachToMap(bpf_program* program, int map_fd, const char* what) {
  bpf_iter_attach_opts opts{};
  bpf_iter_link_info info{};
  info.map.map_fd = static_cast<__u32>(map_fd);
  opts.sz = sizeof(opts);
  opts.link_info = &info;
  opts.link_info_len = sizeof(info);
  bpf_link* link = bpf_program__attach_iter(program, &opts);
  if (!link) throw Error(ErrnoMessage(std::string("attach cleanup iterator to ") + what, errno));
  return link;
}

// Reading an iterator's fd to the end runs the program over every element.
void Drive(bpf_link* link, const char* what) {
  const int fd = bpf_iter_create(bpf_link__fd(link));
  if (fd < 0) throw Error(ErrnoMessage(std::string("start cleanup iterator over ") + what, errno));
  char buffer[64];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) {
  }
  const int err = errno;
  close(fd);
  if (n < 0) throw Error(ErrnoMessage(std::string("run cleanup iterator over ") + what, err));
}

}  // namespace

std::unique_ptr<CleanupIterators> CleanupIterators::TryLoad(const Datapath& datapath, const CleanupOptions& options) {
  std::unique_ptr<CleanupIterators> iterators(new CleanupIterators());
  try {
    iterators->Load(datapath, options);
    return iterators;
  } catch (const Error& e) {
    spdlog::info("BPF iterators unavailable ({}); cleaning the maps from user space", e.what());
    return nullptr;
  }
}

void CleanupIterators::Load(const Datapath& datapath, const CleanupOptions& options) {
  skeleton_ = cleanup_bpf__open();
  if (!skeleton_) throw Error(ErrnoMessage("open cleanup iterators", errno));
  CheckLibbpf(bpf_map__reuse_fd(skeleton_->maps.flow_state, datapath.flow_state_fd()), "share flow map");
  CheckLibbpf(bpf_map__reuse_fd(skeleton_->maps.packet_ts, datapath.packet_ts_fd()), "share timestamp map");
  pp_cleanup_config& cfg = skeleton_->rodata->pp_cleanup_cfg;
  cfg.tcp_timeout_ns = static_cast<uint64_t>(options.tcp_flow_timeout.count()) * 1000 * kNsPerMs;
  cfg.icmp_timeout_ns = static_cast<uint64_t>(options.icmp_flow_timeout.count()) * 1000 * kNsPerMs;
  CheckLibbpf(cleanup_bpf__load(skeleton_), "load cleanup iterators");
  flows_ = AttachToMap(skeleton_->progs.pping_cleanup_flows, datapath.flow_state_fd(), "flow map");
  timestamps_ = AttachToMap(skeleton_->progs.pping_cleanup_timestamps, datapath.packet_ts_fd(), "timestamp map");
}

CleanupIterators::~CleanupIterators() {
  bpf_link__destroy(timestamps_);
  bpf_link__destroy(flows_);
  cleanup_bpf__destroy(skeleton_);
}

pp_cleanup_result CleanupIterators::Run(uint64_t now_ns) {
  skeleton_->bss->pp_cleanup_now_ns = now_ns;
  skeleton_->bss->pp_cleanup_result = {};
  // Flows first: timestamps of flows removed now get the minimum lifetime.
  Drive(flows_, "flow map");
  Drive(timestamps_, "timestamp map");
  return skeleton_->bss->pp_cleanup_result;
}

}  // namespace pping
