// SPDX-License-Identifier: Apache-2.0
#include "tests/support/bpf_objects.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "exporter/attach/tcx.h"
#include "exporter/util/netns.h"
#include "exporter/util/owned.h"
#include "exporter/util/unique_fd.h"
#include "tests/lab/command.h"

namespace pping::testing {
namespace {

constexpr bpf_attach_type kTcx[2] = {kTcxIngress, kTcxEgress};

bool ProgramLoaded(uint32_t id) {
  const UniqueFd fd(bpf_prog_get_fd_by_id(id));
  return fd.valid();
}

}  // namespace

std::vector<uint32_t> ProgramIdsHeldBy(pid_t pid) {
  std::vector<uint32_t> ids;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fdinfo";
  const Owned<DIR, closedir> fds(opendir(dir.c_str()));
  for (dirent* e; fds && (e = readdir(fds.get()));) {
    std::ifstream info(dir + "/" + e->d_name);
    for (std::string line; std::getline(info, line);) {
      if (line.rfind("prog_id:", 0) == 0) ids.push_back(static_cast<uint32_t>(std::stoul(line.substr(8))));
    }
  }
  // A process may hold several descriptors of one program.
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::string ProgramName(uint32_t id) {
  const UniqueFd fd(bpf_prog_get_fd_by_id(id));
  bpf_prog_info info{};
  __u32 len = sizeof(info);
  if (!fd || bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) return "";
  return info.name;
}

UniqueFd ProgramFdHeldBy(pid_t pid, const std::string& name) {
  for (const uint32_t id : ProgramIdsHeldBy(pid)) {
    if (name.compare(0, 15, ProgramName(id)) == 0) return UniqueFd(bpf_prog_get_fd_by_id(id));
  }
  return UniqueFd();
}

bool AnyProgramStillLoaded(const std::vector<uint32_t>& ids) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    bool any = false;
    for (const uint32_t id : ids) any = any || ProgramLoaded(id);
    if (!any) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

Attached AttachedTo(const std::string& netns, const std::string& ifname) {
  Attached out;
  {
    const NetnsScope scope(netns);
    const unsigned ifindex = if_nametoindex(ifname.c_str());
    for (const bpf_attach_type type : kTcx) {
      __u32 ids[64] = {}, count = 64, flags = 0;
      if (ifindex != 0 && bpf_prog_query(static_cast<int>(ifindex), type, 0, &flags, ids, &count) == 0) {
        out.tcx.insert(out.tcx.end(), ids, ids + count);
      }
    }
  }
  out.clsact =
      RunCommand({"tc", "-n", netns, "qdisc", "show", "dev", ifname}).output.find("clsact") != std::string::npos;
  for (const char* hook : {"ingress", "egress"}) {
    const CommandResult filters = RunCommand({"tc", "-n", netns, "filter", "show", "dev", ifname, hook});
    out.tc_filters = out.tc_filters || filters.output.find("bpf") != std::string::npos;
    // "... direct-action not_in_hw id 123 name ...": one line per filter.
    for (size_t at = filters.output.find(" id "); at != std::string::npos; at = filters.output.find(" id ", at + 4)) {
      out.tc_programs.push_back(static_cast<uint32_t>(std::stoul(filters.output.substr(at + 4))));
    }
  }
  const std::string link = RunCommand({"ip", "-n", netns, "link", "show", "dev", ifname}).output;
  out.xdp = link.find("xdp") != std::string::npos;
  // "prog/xdp id 123" (or xdpgeneric, xdpdrv).
  if (const size_t at = link.find("prog/xdp"); at != std::string::npos) {
    const size_t id = link.find(" id ", at);
    if (id != std::string::npos) out.xdp_program = static_cast<uint32_t>(std::stoul(link.substr(id + 4)));
  }
  return out;
}

}  // namespace pping::testing
