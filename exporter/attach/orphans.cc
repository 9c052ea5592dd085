// SPDX-License-Identifier: Apache-2.0
#include "exporter/attach/orphans.h"

#include <bpf/bpf.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
#include <system_error>

#include "exporter/util/unique_fd.h"

namespace pping {
namespace {

// Our programs' names start so (bpf/pping.bpf.c).
constexpr std::string_view kProgramPrefix = "pping_";

// Whether a running pping_exporter holds a descriptor of program `id`, as
// each holds its own programs; nullopt if one's descriptors cannot be
// read, so that the answer is unknown.
std::optional<bool> HeldByAnExporter(uint32_t id) {
  const std::string wanted = "prog_id:\t" + std::to_string(id);
  std::error_code error;
  for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid = process.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string comm;
    std::getline(std::ifstream(process.path() / "comm"), comm);
    if (comm != "pping_exporter") continue;
    std::error_code listed;
    for (const auto& fd : std::filesystem::directory_iterator(process.path() / "fdinfo", listed)) {
      std::ifstream info(fd.path());
      for (std::string line; std::getline(info, line);) {
        if (line == wanted) return true;
      }
    }
    if (listed && listed != std::errc::no_such_file_or_directory) return std::nullopt;
  }
  return false;
}

std::string ProgramName(uint32_t id) {
  const UniqueFd fd(bpf_prog_get_fd_by_id(id));
  bpf_prog_info info{};
  __u32 length = sizeof(info);
  if (!fd || bpf_obj_get_info_by_fd(fd.get(), &info, &length) != 0) return "";
  return info.name;
}

}  // namespace

AttachedProgram JudgeAttachedProgram(uint32_t id) {
  const std::string name = ProgramName(id);
  if (name.empty()) return {false, "its program cannot be looked at (it takes CAP_SYS_ADMIN)"};
  if (!name.starts_with(kProgramPrefix)) return {false, "program " + name + " is not ours"};
  const std::optional<bool> held = HeldByAnExporter(id);
  if (!held) return {false, "whether a running pping_exporter holds it cannot be told"};
  if (*held) return {false, "a running pping_exporter holds it"};
  return {true, ""};
}

}  // namespace pping
