// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/empty_program.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <unistd.h>

#include "exporter/error.h"
#include "exporter/interfaces.h"
#include "exporter/netns.h"
#include "exporter/tc_attach.h"

namespace pping::bench {

int LoadEmptyTcProgram(const std::string& name) {
  bpf_insn program[2] = {};
  program[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = TC_ACT_UNSPEC
  program[0].dst_reg = BPF_REG_0;
  program[0].imm = TC_ACT_UNSPEC;
  program[1].code = BPF_JMP | BPF_EXIT;
  const int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, name.c_str(), "GPL", program, 2, nullptr);
  if (fd < 0) throw Error(ErrnoMessage("load the empty tc program " + name, errno));
  return fd;
}

EmptyTcProgram::EmptyTcProgram(const std::string& netns, const std::string& interface)
    : netns_(netns),
      ingress_fd_(LoadEmptyTcProgram(std::string(kFloorPrefix) + "in")),
      egress_fd_(LoadEmptyTcProgram(std::string(kFloorPrefix) + "eg")) {
  const NetnsScope scope(netns_);
  attachment_ = std::make_unique<TcAttachment>(ResolveInterface(interface, netns_), ingress_fd_, egress_fd_);
}

EmptyTcProgram::~EmptyTcProgram() {
  {
    const NetnsScope scope(netns_);
    attachment_.reset();
  }
  close(ingress_fd_);
  close(egress_fd_);
}

}  // namespace pping::bench
