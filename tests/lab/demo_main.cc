// SPDX-License-Identifier: Apache-2.0
// pping_demo: the real exporter binary on a lab of its own (two network
// namespaces, a known delay, real TCP, ping and DNS traffic), for
// `scripts/run.sh --demo`. The exporter stays lab-free: this program builds
// the lab, runs the exporter on the lab's client interface as a child,
// passes signals on, and removes the lab once the exporter has ended.
//
//   pping_demo [--demo] [--demo.delay DURATION] [--exporter PATH] [exporter flags...]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "exporter/config/duration.h"
#include "exporter/util/error.h"
#include "exporter/util/unique_fd.h"
#include "tests/lab/lab.h"

namespace pping {
namespace {

struct DemoArgs {
  std::chrono::milliseconds delay{20};
  std::string exporter;
  std::vector<std::string> exporter_args;
};

// The exporter next to this program in Bazel's runfiles.
std::string DefaultExporterPath() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "exporter/pping_exporter";
  return std::string(self, static_cast<size_t>(n)) + ".runfiles/pping_exporter/exporter/pping_exporter";
}

// The value of `--name V` or `--name=V` at args[i] (advancing i), if it is that flag.
std::optional<std::string> FlagValue(const std::vector<std::string>& args, size_t& i, const std::string& name) {
  if (args[i] == name) {
    if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
    return args[++i];
  }
  if (args[i].starts_with(name + "=")) return args[i].substr(name.size() + 1);
  return std::nullopt;
}

bool NamesTheInterface(const std::string& arg) {
  for (const char* flag : {"-i", "--interface", "--attach.interface", "--attach.netns"}) {
    const std::string f = flag;
    if (arg == f || arg.starts_with(f + "=") || (f == "-i" && arg.starts_with("-i"))) return true;
  }
  return false;
}

DemoArgs Parse(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  DemoArgs out{.exporter = DefaultExporterPath()};
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--demo") continue;
    if (auto value = FlagValue(args, i, "--demo.delay")) {
      const auto delay = ParseDuration(*value);
      if (!delay || *delay < std::chrono::milliseconds(1) || *delay > std::chrono::seconds(10)) {
        throw UsageError("--demo.delay: '" + *value + "' is not a duration within 1ms..10s (e.g. 50ms)");
      }
      out.delay = std::chrono::duration_cast<std::chrono::milliseconds>(*delay);
    } else if (auto path = FlagValue(args, i, "--exporter")) {
      out.exporter = *path;
    } else if (NamesTheInterface(args[i])) {
      throw UsageError("the demo monitors its own lab: drop " + args[i]);
    } else {
      out.exporter_args.push_back(args[i]);
    }
  }
  return out;
}

// Starts the exporter with default signal handling; it gets SIGTERM if
// this program dies first, so it never outlives the lab it watches. The
// child runs only async-signal-safe calls between fork and exec: this
// process has threads (the lab's).
pid_t StartExporter(const std::vector<std::string>& argv) {
  std::vector<char*> raw;
  for (const auto& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
  raw.push_back(nullptr);
  static constexpr char kExecFailed[] = "pping_demo: error: cannot run the exporter (see --exporter)\n";
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) throw Error(ErrnoMessage("start the exporter", errno));
  if (child != 0) return child;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(kFailureExitCode);  // the demo died before prctl took effect
  execv(raw[0], raw.data());
  (void)!write(STDERR_FILENO, kExecFailed, sizeof(kExecFailed) - 1);
  _exit(kFailureExitCode);
}

// The exporter would refuse a listen address whose port is taken (another
// demo's, say) only after the lab is built: refuse it first, in one line.
void RefuseABusyPort(const std::vector<std::string>& exporter_args) {
  std::string address = ":9789";
  for (size_t i = 0; i < exporter_args.size(); ++i) {
    if (auto value = FlagValue(exporter_args, i, "--web.listen-address")) address = *value;
  }
  const size_t colon = address.rfind(':');
  const std::string host = address.substr(0, colon);
  sockaddr_in where{};
  where.sin_family = AF_INET;
  const unsigned long port = std::strtoul(address.c_str() + colon + 1, nullptr, 10);
  if (colon == std::string::npos || port == 0 || port > 65535) return;  // the exporter judges the rest
  where.sin_port = htons(static_cast<uint16_t>(port));
  if (!host.empty() && inet_pton(AF_INET, host.c_str(), &where.sin_addr) != 1) return;
  const UniqueFd probe(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int on = 1;
  setsockopt(probe.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (bind(probe.get(), reinterpret_cast<const sockaddr*>(&where), sizeof(where)) != 0 && errno == EADDRINUSE) {
    throw UsageError("listen on " + address + ": " + std::strerror(EADDRINUSE) +
                     " (another demo or exporter? pick another --web.listen-address)");
  }
}

// Passes signals on to the exporter until it ends; returns its exit code.
int Supervise(pid_t child, const sigset_t& signals) {
  for (;;) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal != SIGCHLD) {
      kill(child, signal);
      continue;
    }
    int status = 0;
    if (waitpid(child, &status, WNOHANG) != child) continue;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
}

int Run(const DemoArgs& args, const sigset_t& signals) {
  RefuseABusyPort(args.exporter_args);
  Lab lab({.name = "pping-demo", .delay = args.delay, .traffic = {.dns = true}});
  std::fprintf(stderr, "pping_demo: %s\n", lab.Describe().c_str());
  std::vector<std::string> argv{args.exporter, "--attach.netns", lab.client_netns(), "--attach.interface",
                                lab.monitored_interface()};
  argv.insert(argv.end(), args.exporter_args.begin(), args.exporter_args.end());
  return Supervise(StartExporter(argv), signals);
}

}  // namespace
}  // namespace pping

int main(int argc, char** argv) {
  // Blocked before the lab starts its threads, so they inherit the mask
  // and this thread alone takes the signals.
  sigset_t signals;
  sigemptyset(&signals);
  for (const int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    return pping::Run(pping::Parse(argc, argv), signals);
  } catch (const pping::UsageError& e) {
    std::fprintf(stderr, "pping_demo: error: %s\n", e.what());
    return pping::kUsageExitCode;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pping_demo: error: %s\n", e.what());
    return pping::kFailureExitCode;
  }
}
