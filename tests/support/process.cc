// SPDX-License-Identifier: Apache-2.0
#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "exporter/util/unique_fd.h"

namespace pping::testing {

// The child runs only async-signal-safe calls between fork and exec: tests
// have threads (a lab's traffic and delay line).
Process::Process(const std::vector<std::string>& argv) {
  char path[] = "/tmp/pping_test_outputXXXXXX";
  const UniqueFd log(mkstemp(path));
  log_path_ = path;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    // Die with the test: a crashed or killed test must not leave an
    // exporter attached behind it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(log.get(), STDOUT_FILENO);
    dup2(log.get(), STDERR_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), log_path_(std::move(other.log_path_)), status_(other.status_) {
  other.status_ = 0;  // the moved-from object owns no child
}

Process::~Process() {
  if (pid_ < 0) return;
  if (Running()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  unlink(log_path_.c_str());
}

bool Process::Running() {
  if (status_ != -1) return false;
  return waitpid(pid_, &status_, WNOHANG) == 0 ? (status_ = -1, true) : false;
}

Exit Process::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (Running()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  const int code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  return {code, Output()};
}

Exit Process::Terminate(std::chrono::milliseconds timeout) {
  if (Running()) kill(pid_, SIGTERM);
  return Wait(timeout);
}

std::string Process::Output() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ExporterPath() {
  // Bazel runs tests from the workspace's runfiles directory.
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir && workspace) return std::string(srcdir) + "/" + workspace + "/exporter/pping_exporter";
  return "exporter/pping_exporter";
}

std::vector<std::string> MonitoringExporterArgv(const std::string& netns, const std::string& interface, int port,
                                                const std::vector<std::string>& extra) {
  std::vector<std::string> argv{ExporterPath(),
                                "--attach.netns",
                                netns,
                                "--attach.interface",
                                interface,
                                "--web.listen-address",
                                "127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::vector<ThreadStatus> ThreadsOf(pid_t pid) {
  std::vector<ThreadStatus> out;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    ThreadStatus t;
    t.tid = task.path().filename();
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      const size_t colon = line.find(':');
      const size_t start = line.find_first_not_of(" \t", colon + 1);
      if (colon == std::string::npos || start == std::string::npos) continue;
      const std::string key = line.substr(0, colon);
      const std::string value = line.substr(start);
      const auto hex = [&value] { return std::stoull(value, nullptr, 16); };
      if (key == "Name") t.name = value;
      if (key == "CapEff") t.effective = hex();
      if (key == "CapPrm") t.permitted = hex();
      if (key == "CapInh") t.inheritable = hex();
      if (key == "CapBnd") t.bounding = hex();
      if (key == "CapAmb") t.ambient = hex();
    }
    if (!t.name.empty()) out.push_back(t);
  }
  return out;
}

Exit RunExporter(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{ExporterPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process process(argv);
  return process.Wait(timeout);
}

std::string ShellOutput(const std::string& command, bool with_stderr) {
  std::string out;
  FILE* pipe = popen((command + (with_stderr ? " 2>&1" : "")).c_str(), "r");
  if (!pipe) return out;
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) out.append(buffer, n);
  pclose(pipe);
  return out;
}

}  // namespace pping::testing
