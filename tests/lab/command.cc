// SPDX-License-Identifier: Apache-2.0
#include "tests/lab/command.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "exporter/util/error.h"
#include "exporter/util/unique_fd.h"

extern char** environ;

namespace pping {
namespace {

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw Error(ErrnoMessage("pipe for " + Join(argv), errno));
  const UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.reset();  // the child's copies alone keep it open: read to their end
  CommandResult result;
  if (err != 0) {
    result.output = ErrnoMessage("run " + argv[0], err);
    return result;
  }
  char buffer[4096];
  for (ssize_t n; (n = read(read_end.get(), buffer, sizeof(buffer))) > 0;) result.output.append(buffer, n);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void RunOrThrow(const std::vector<std::string>& argv) {
  const CommandResult r = RunCommand(argv);
  if (r.exit_code != 0) {
    throw Error("`" + Join(argv) + "` failed (exit " + std::to_string(r.exit_code) + "): " + r.output);
  }
}

}  // namespace pping
