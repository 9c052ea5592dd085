// SPDX-License-Identifier: Apache-2.0
#include "tests/lab/dns_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "exporter/util/error.h"
#include "tests/lab/command.h"

namespace pping {

DnsServer::DnsServer(const std::string& netns, const std::vector<std::string>& addresses) {
  std::vector<std::string> argv = {"ip",
                                   "netns",
                                   "exec",
                                   netns,
                                   "dnsmasq",
                                   "--keep-in-foreground",
                                   "--conf-file=",
                                   "--no-resolv",
                                   "--no-hosts",
                                   "--bind-interfaces",
                                   "--port=53",
                                   "--user=root",
                                   "--pid-file=",
                                   std::string("--address=/") + kName + "/192.0.2.99",
                                   std::string("--address=/") + kMissingName + "/"};
  for (const std::string& address : addresses) argv.push_back("--listen-address=" + address);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw Error(ErrnoMessage("lab: start dnsmasq", errno));
  if (pid_ == 0) {
    // A supervisor (the demo) may block the signals it waits for; the
    // server must still end on SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  // Answering once it has bound every address; a server that exits early
  // (not installed, an address refused) ends the wait with its status.
  for (int i = 0; i < 100; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw Error("lab: dnsmasq exited at start (status " + std::to_string(status) + "); is dnsmasq-base installed?");
    }
    if (RunCommand({"ip", "netns", "exec", netns, "ss", "-lnu", "sport", "=", ":53"}).output.find(addresses.front()) !=
        std::string::npos) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  throw Error("lab: dnsmasq does not listen on " + addresses.front());
}

DnsServer::~DnsServer() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

}  // namespace pping
