// SPDX-License-Identifier: Apache-2.0
#include "exporter/cleanup/cleanup_iterators.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

#include "bpf/cleanup_bpf.skel.h"
#include "exporter/util/error.h"
#include "exporter/util/unique_fd.h"

namespace pping {
namespace {

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
  const UniqueFd fd(bpf_iter_create(bpf_link__fd(link)));
  if (!fd) throw Error(ErrnoMessage(std::string("start cleanup iterator over ") + what, errno));
  char buffer[64];
  ssize_t n;
  while ((n = read(fd.get(), buffer, sizeof(buffer))) > 0) {
  }
  if (n < 0) throw Error(ErrnoMessage(std::string("run cleanup iterator over ") + what, errno));
}

}  // namespace

void CleanupIterators::Destroy(::cleanup_bpf* skeleton) { cleanup_bpf__destroy(skeleton); }
void CleanupIterators::DestroyLink(::bpf_link* link) { bpf_link__destroy(link); }

std::unique_ptr<CleanupIterators> CleanupIterators::TryLoad(std::shared_ptr<FlowMaps> flows,
                                                            std::shared_ptr<TimestampMaps> timestamps,
                                                            const CleanupOptions& options) {
  std::unique_ptr<CleanupIterators> iterators(new CleanupIterators());
  iterators->flow_maps_ = std::move(flows);
  iterators->timestamp_maps_ = std::move(timestamps);
  try {
    iterators->Load(options);
    return iterators;
  } catch (const Error& e) {
    spdlog::info("BPF iterators unavailable ({}); cleaning the maps from user space", e.what());
    return nullptr;
  }
}

void CleanupIterators::Load(const CleanupOptions& options) {
  skeleton_.reset(cleanup_bpf__open());
  if (!skeleton_) throw Error(ErrnoMessage("open cleanup iterators", errno));
  // The programs delete through the datapath's slots; the maps declared
  // beside them only need to exist, and the ones in use do.
  const auto& m = skeleton_->maps;
  CheckLibbpf(bpf_map__reuse_fd(m.flow_maps, flow_maps_->slots_fd()), "share the flow map slots");
  CheckLibbpf(bpf_map__reuse_fd(m.stamp_maps, timestamp_maps_->slots_fd()), "share the timestamp map slots");
  CheckLibbpf(bpf_map__reuse_fd(m.flow_state, flow_maps_->current().fd()), "share flow map");
  CheckLibbpf(bpf_map__reuse_fd(m.packet_ts, timestamp_maps_->current().fd()), "share timestamp map");
  pp_cleanup_config& cfg = skeleton_->rodata->pp_cleanup_cfg;
  cfg.tcp_timeout_ns = static_cast<uint64_t>(options.tcp_flow_timeout.count());
  cfg.icmp_timeout_ns = static_cast<uint64_t>(options.icmp_flow_timeout.count());
  CheckLibbpf(cleanup_bpf__load(skeleton_.get()), "load cleanup iterators");
  Follow();
}

void CleanupIterators::Follow() {
  const uint64_t flows = flow_maps_->generation(), timestamps = timestamp_maps_->generation();
  if (!flows_ || flows != flow_generation_) {
    flows_.reset(AttachToMap(skeleton_->progs.pping_cleanup_flows, flow_maps_->current().fd(), "flow map"));
    flow_generation_ = flows;
  }
  if (!timestamps_ || timestamps != timestamp_generation_) {
    timestamps_.reset(
        AttachToMap(skeleton_->progs.pping_cleanup_timestamps, timestamp_maps_->current().fd(), "timestamp map"));
    timestamp_generation_ = timestamps;
  }
}

CleanupIterators::~CleanupIterators() = default;

pp_cleanup_result CleanupIterators::Run(uint64_t now_ns) {
  Follow();
  skeleton_->bss->pp_cleanup_now_ns = now_ns;
  skeleton_->bss->pp_cleanup_result = {};
  // Flows first: timestamps of flows removed now get the minimum lifetime.
  Drive(flows_.get(), "flow map");
  Drive(timestamps_.get(), "timestamp map");
  return skeleton_->bss->pp_cleanup_result;
}

}  // namespace pping
