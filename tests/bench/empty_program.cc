// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/empty_program.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "exporter/attach/interfaces.h"
#include "exporter/attach/tc_attach.h"
#include "exporter/util/error.h"

namespace pping::bench {
namespace {

uint32_t ProgramId(const UniqueFd& program) {
  bpf_prog_info info{};
  __u32 len = sizeof(info);
  return bpf_obj_get_info_by_fd(program.get(), &info, &len) == 0 ? info.id : 0;
}

}  // namespace

UniqueFd LoadEmptyTcProgram(const std::string& name) {
  bpf_insn program[2] = {};
  program[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = TC_ACT_UNSPEC
  program[0].dst_reg = BPF_REG_0;
  program[0].imm = TC_ACT_UNSPEC;
  program[1].code = BPF_JMP | BPF_EXIT;
  UniqueFd fd(bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, name.c_str(), "GPL", program, 2, nullptr));
  if (!fd) throw Error(ErrnoMessage("load the empty tc program " + name, errno));
  return fd;
}

EmptyTcProgram::EmptyTcProgram(const std::string& netns, const std::string& interface)
    : ingress_(LoadEmptyTcProgram(std::string(kFloorPrefix) + "in")),
      egress_(LoadEmptyTcProgram(std::string(kFloorPrefix) + "eg")),
      attachment_(
          std::make_unique<TcAttachment>(ResolveInterface(interface, netns), ingress_, egress_, TcMode::kAuto)) {}

EmptyTcProgram::~EmptyTcProgram() = default;

std::vector<uint32_t> EmptyTcProgram::program_ids() const { return {ProgramId(ingress_), ProgramId(egress_)}; }

}  // namespace pping::bench
