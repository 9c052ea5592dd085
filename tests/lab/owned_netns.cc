// SPDX-License-Identifier: Apache-2.0
#include "tests/lab/owned_netns.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <regex>

#include "tests/lab/command.h"

namespace pping {

std::string UniqueNetnsBase(const std::string& name) {
  const std::regex ours(name + "-([0-9]+)-[0-9]+(-.*)?");
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", error)) {
    std::smatch match;
    const std::string ns = entry.path().filename().string();
    if (!std::regex_match(ns, match, ours)) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(match[1].str()));
    if (kill(pid, 0) != 0 && errno == ESRCH) RunCommand({"ip", "netns", "del", ns});
  }
  static std::atomic<unsigned> made{0};
  return name + "-" + std::to_string(getpid()) + "-" + std::to_string(made++);
}

OwnedNetns::OwnedNetns(std::string name) : name_(std::move(name)) { RunOrThrow({"ip", "netns", "add", name_}); }

OwnedNetns::~OwnedNetns() { RunCommand({"ip", "netns", "del", name_}); }

}  // namespace pping
