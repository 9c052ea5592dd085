// SPDX-License-Identifier: Apache-2.0
// Bad input ends the exporter with one line on stderr, exit code 2 and
// nothing attached; a failure of the kernel to load or attach is exit code
// 1, also in one line with its context. The exporter runs against a
// namespace of the test's own, whose interfaces are checked afterwards.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "exporter/util/unique_fd.h"
#include "tests/lab/command.h"
#include "tests/lab/owned_netns.h"
#include "tests/support/bpf_objects.h"
#include "tests/support/exposition.h"
#include "tests/support/http_get.h"
#include "tests/support/json_lines.h"
#include "tests/support/process.h"
#include "tests/support/root.h"

namespace pping {
namespace {

std::string FreeAddress() { return "127.0.0.1:" + std::to_string(testing::FreeLocalPort()); }

void ExpectOneLine(const testing::Exit& exit, int code, const std::string& needle) {
  EXPECT_EQ(exit.code, code) << exit.output;
  EXPECT_NE(exit.output.find(needle), std::string::npos) << exit.output;
  EXPECT_EQ(exit.output.find('\n'), exit.output.size() - 1) << "one line expected: " << exit.output;
}

// A namespace of the test's own with its loopback up: the exporter is
// pointed at its `lo`, so what is attached there is the exporter's doing.
class CliInNamespace : public ::testing::Test {
 protected:
  void SetUp() override {
    PPING_SKIP_UNLESS_ROOT();
    netns_ = std::make_unique<OwnedNetns>(UniqueNetnsBase("ppcli"));
    RunOrThrow({"ip", "-n", netns_->name(), "link", "set", "lo", "up"});
  }
  std::vector<std::string> OnLoopback(std::vector<std::string> more) const {
    std::vector<std::string> args{"--attach.netns", netns_->name(), "--attach.interface", "lo"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  // The exporter on this namespace's `lo`, serving on 127.0.0.1:port.
  testing::Process StartOnLoopback(int port, const std::vector<std::string>& flags) const {
    return testing::Process(testing::MonitoringExporterArgv(netns_->name(), "lo", port, flags));
  }
  void ExpectNothingAttached() const {
    EXPECT_FALSE(testing::AttachedTo(netns_->name(), "lo").Anything()) << "left attached on lo";
  }

  std::unique_ptr<OwnedNetns> netns_;
};

TEST(Cli, UnknownInterface) {
  ExpectOneLine(testing::RunExporter({"--attach.interface", "nosuch0", "--web.listen-address", FreeAddress()}), 2,
                "unknown interface nosuch0");
}

TEST(Cli, BadPrefixLength) {
  ExpectOneLine(testing::RunExporter({"--aggregation.ipv4-prefix", "40"}), 2, "--aggregation.ipv4-prefix");
}

TEST(Cli, UnknownNamespace) {
  ExpectOneLine(testing::RunExporter({"--attach.netns", "no-such-ns", "--attach.interface", "lo"}), 2,
                "unknown network namespace no-such-ns");
}

TEST(Cli, DurationsNeedAUnitUnlessEppingGaveTheFlagOne) {
  ExpectOneLine(testing::RunExporter({"--aggregation.interval", "250"}), 2, "is not a duration");
  ExpectOneLine(testing::RunExporter({"--cleanup.tcp-timeout", "5 min"}), 2, "is not a duration");
  ExpectOneLine(testing::RunExporter({"--sampling.rate-limit", "2h"}), 2, "outside 0s..1h");
  // ePPing's -r is in milliseconds; --version after the flags exits once they parse.
  EXPECT_EQ(testing::RunExporter({"-r", "10", "--cleanup-interval", "2", "--version"}).code, 0);
}

// The real binary in check mode: a valid config passes, a broken one is
// one line and exit 2, and neither attaches anything.
TEST_F(CliInNamespace, CheckModeValidatesAndAttachesNothing) {
  const std::string config = testing::TempPath("check.toml");
  std::ofstream(config) << "log.level = \"info\"\nquic.ports = [443]  # the default\n";
  const testing::Exit ok = testing::RunExporter(OnLoopback({"--config.check", "--config.file", config}));
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_NE(ok.output.find("flags and config file are valid"), std::string::npos) << ok.output;
  ExpectNothingAttached();
  ExpectOneLine(testing::RunExporter(OnLoopback({"--config.check", "--config.file", "/dev/zero"})), 2,
                "--config.file /dev/zero: not a regular file");
  ExpectNothingAttached();
}

TEST_F(CliInNamespace, PortInUse) {
  const UniqueFd fd(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd.get(), 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string busy = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  ExpectOneLine(testing::RunExporter(OnLoopback({"--web.listen-address", busy})), 2, "listen on " + busy);
  ExpectNothingAttached();
}

// A web config that cannot be used is bad input, found before anything is
// loaded, by --config.check as well.
TEST_F(CliInNamespace, AnUnusableWebConfigIsBadInputWithNothingAttached) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/web-unusable.yml";
  std::ofstream(path) << "tls_server_config:\n  cert_file: /nonexistent/server.crt\n  key_file: /nonexistent/k\n";
  ExpectOneLine(testing::RunExporter(OnLoopback({"--web.listen-address", FreeAddress(), "--web.config.file", path})), 2,
                "--web.config.file: cert_file /nonexistent/server.crt");
  ExpectNothingAttached();
  ExpectOneLine(testing::RunExporter({"--config.check", "--web.config.file", path}), 2,
                "cert_file /nonexistent/server.crt");
  std::ofstream(path) << "basic_auth_users:\n  prometheus: hunter2\n";
  ExpectOneLine(testing::RunExporter(OnLoopback({"--web.listen-address", FreeAddress(), "--web.config.file", path})), 2,
                "line 2: basic_auth_users.prometheus: not a bcrypt hash");
  ExpectNothingAttached();
  ExpectOneLine(testing::RunExporter({"--web.config.file", "/nonexistent/web.yml"}), 2, "--web.config.file");
}

TEST(Cli, NoBpfPermissionIsARuntimeFailure) {
  PPING_SKIP_UNLESS_ROOT();
  // As an unprivileged user without capabilities the BPF load must fail
  // (before anything could be attached).
  testing::Process p({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                      testing::ExporterPath(), "--attach.interface", "lo", "--web.listen-address", FreeAddress()});
  ExpectOneLine(p.Wait(std::chrono::seconds(20)), 1, "load the BPF datapath");
}

TEST_F(CliInNamespace, UnwritableOutputFileIsBadInputWithNothingAttached) {
  ExpectOneLine(testing::RunExporter(OnLoopback({"--web.listen-address", FreeAddress(), "--output.format", "jsonl",
                                                 "--output.write", "/nonexistent/dir/events.jsonl"})),
                2, "--output.write /nonexistent/dir/events.jsonl: no directory /nonexistent/dir");
  ExpectNothingAttached();
  // The directory exists, but no file can be made in it.
  ExpectOneLine(testing::RunExporter(OnLoopback({"--web.listen-address", FreeAddress(), "--output.format", "jsonl",
                                                 "--output.write", "/proc/pping-events.jsonl"})),
                2, "open --output.write file /proc/pping-events.jsonl");
  ExpectNothingAttached();
}

TEST_F(CliInNamespace, RunsAndDetachesOnSigterm) {
  const int port = testing::FreeLocalPort();
  testing::Process p = StartOnLoopback(port, {"--attach.tc-mode", "clsact"});
  ASSERT_TRUE(testing::WaitUntilReady(port)) << p.Output();
  const std::vector<uint32_t> programs = testing::ProgramIdsHeldBy(p.pid());
  EXPECT_FALSE(programs.empty());
  EXPECT_TRUE(testing::AttachedTo(netns_->name(), "lo").tc_filters);
  const testing::Exit exit = p.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  EXPECT_NE(exit.output.find("serving metrics on http://127.0.0.1:" + std::to_string(port) + "/metrics"),
            std::string::npos)
      << exit.output;
  EXPECT_FALSE(testing::AnyProgramStillLoaded(programs)) << "the exporter's programs outlived it";
  ExpectNothingAttached();
}

// The startup line names each address actually bound: every address
// (IPv6 and IPv4) for a listen address without a host, IPv6 in brackets.
TEST_F(CliInNamespace, TheStartupLineNamesTheAddressesListenedOn) {
  const int any = testing::FreeLocalPort();
  const int v6 = testing::FreeLocalPort();
  std::vector<std::string> argv{testing::ExporterPath(), "--web.listen-address", ":" + std::to_string(any),
                                "--web.listen-address", "[::1]:" + std::to_string(v6)};
  const std::vector<std::string> attach = OnLoopback({});
  argv.insert(argv.end(), attach.begin(), attach.end());
  testing::Process p(argv);
  std::string output;
  for (int i = 0; i < 100 && output.find("serving metrics on") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    output = p.Output();
  }
  EXPECT_NE(output.find("serving metrics on http://[::]:" + std::to_string(any) +
                        "/metrics, http://[::1]:" + std::to_string(v6) + "/metrics"),
            std::string::npos)
      << output;
  EXPECT_EQ(p.Terminate().code, 0);
}

// The first line after attaching names the version and every setting in
// force, in logfmt by default and as JSON when asked; the landing page
// shows the same.
TEST_F(CliInNamespace, TheStartupLineNamesTheVersionAndTheSettings) {
  for (const std::string format : {"logfmt", "json"}) {
    const int port = testing::FreeLocalPort();
    std::vector<std::string> argv{testing::ExporterPath(),
                                  "--web.listen-address",
                                  "127.0.0.1:" + std::to_string(port),
                                  "--log.format",
                                  format,
                                  "--aggregation.ipv4-prefix",
                                  "20"};
    const std::vector<std::string> attach = OnLoopback({});
    argv.insert(argv.end(), attach.begin(), attach.end());
    testing::Process p(argv);
    ASSERT_TRUE(testing::WaitUntilReady(port)) << p.Output();
    const std::string landing = testing::HttpGet(port, "/")->body;
    const testing::Exit exit = p.Terminate();
    EXPECT_EQ(exit.code, 0) << exit.output;
    std::istringstream lines(exit.output);
    std::string started;
    for (std::string line; std::getline(lines, line);) {
      if (line.find("pping_exporter 0.") != std::string::npos && line.find(" started ") != std::string::npos) {
        started = line;
      }
      if (format == "json") {
        EXPECT_EQ(line.rfind("{\"ts\":\"", 0), 0u) << line;
      } else {
        EXPECT_EQ(line.rfind("ts=", 0), 0u) << line;
      }
    }
    ASSERT_FALSE(started.empty()) << exit.output;
    EXPECT_NE(started.find(format == "json" ? "\"level\":\"info\"" : " level=info msg=\""), std::string::npos);
    for (const std::string& setting :
         {std::string("interfaces=lo"), "netns=" + netns_->name(), std::string("ipv4_prefix=/20"),
          "metrics=http://127.0.0.1:" + std::to_string(port) + "/metrics", std::string("tls=off")}) {
      EXPECT_NE(started.find(" " + setting), std::string::npos) << setting << " in " << started;
    }
    EXPECT_NE(landing.find("<tr><td>ipv4_prefix</td><td>/20</td></tr>"), std::string::npos) << landing;
  }
}

// Once attached, each thread keeps only the capabilities its own work
// needs, read from /proc: none where client bytes or events are read, the
// use of BPF descriptors where maps are read, and what attaching takes in
// the thread that re-attaches a returning interface and the one that
// detaches at exit. Entering a named namespace takes CAP_SYS_ADMIN, so it
// is kept only with --attach.netns. The exporter still serves, and
// detaches everything at exit.
TEST_F(CliInNamespace, AfterAttachingEachThreadKeepsOnlyWhatItsWorkNeeds) {
  constexpr uint64_t kBpf = uint64_t{1} << CAP_BPF, kNetAdmin = uint64_t{1} << CAP_NET_ADMIN,
                     kSysAdmin = uint64_t{1} << CAP_SYS_ADMIN, kPerfmon = uint64_t{1} << CAP_PERFMON;
  struct Case {
    bool named_netns;
    std::vector<std::string> flags;
    uint64_t attaching;  // what the main and watch threads keep
  };
  const std::vector<Case> cases{{true, {}, kBpf | kNetAdmin | kSysAdmin},
                                {false, {}, kBpf | kNetAdmin},
                                {false, {"--attach.tc-mode", "clsact"}, kBpf | kNetAdmin},
                                // libxdp finds the attached program by id, even to detach it.
                                {false, {"--attach.ingress-hook", "xdp"}, kBpf | kNetAdmin | kSysAdmin | kPerfmon}};
  for (const Case& c : cases) {
    SCOPED_TRACE((c.named_netns ? "with --attach.netns" : "run inside the namespace") +
                 (c.flags.empty() ? std::string() : " with " + c.flags.back()));
    const int port = testing::FreeLocalPort();
    std::vector<std::string> flags{"--output.format", "jsonl"};
    flags.insert(flags.end(), c.flags.begin(), c.flags.end());
    // Inside the namespace, its loopback serves /metrics out of the test's
    // reach: the threads are read from /proc once all have started.
    std::vector<std::string> inside{"ip",
                                    "netns",
                                    "exec",
                                    netns_->name(),
                                    testing::ExporterPath(),
                                    "--attach.interface",
                                    "lo",
                                    "--web.listen-address",
                                    FreeAddress()};
    inside.insert(inside.end(), flags.begin(), flags.end());
    testing::Process p = c.named_netns ? StartOnLoopback(port, flags) : testing::Process(inside);
    if (c.named_netns) {
      ASSERT_TRUE(testing::WaitUntilReady(port)) << p.Output();
    }
    const std::map<std::string, uint64_t> expected{{"pping_exporter", c.attaching},
                                                   {"pping-watch", c.attaching},
                                                   {"pping-render", kBpf},
                                                   {"pping-sync", kBpf},
                                                   {"pping-cleanup", kBpf},
                                                   {"pping-http", 0},
                                                   {"pping-events", 0}};
    std::vector<testing::ThreadStatus> threads;
    for (int i = 0; i < 100; ++i) {
      threads = testing::ThreadsOf(p.pid());
      const bool all_started = std::all_of(expected.begin(), expected.end(), [&](const auto& e) {
        return std::any_of(threads.begin(), threads.end(), [&](const auto& t) { return t.name == e.first; });
      });
      if (all_started) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::set<std::string> seen;
    for (const testing::ThreadStatus& t : threads) {
      SCOPED_TRACE("thread " + t.name + " (" + t.tid + ")");
      const auto want = expected.find(t.name);
      ASSERT_NE(want, expected.end()) << "a thread nobody accounted for, permitted " << std::hex << t.permitted;
      seen.insert(t.name);
      EXPECT_EQ(t.permitted, want->second) << std::hex << t.permitted;
      EXPECT_EQ(t.effective, want->second) << std::hex << t.effective;
      EXPECT_EQ(t.inheritable, 0u);
      EXPECT_EQ(t.ambient, 0u);
      if (t.name == "pping_exporter") {
        EXPECT_EQ(t.bounding, c.attaching) << std::hex << t.bounding;
      }
    }
    EXPECT_EQ(seen.size(), expected.size()) << "every kind of thread was running";
    if (c.named_netns) {
      const auto response = testing::HttpGet(port, "/metrics");
      ASSERT_TRUE(response);
      EXPECT_EQ(response->status, 200);
      EXPECT_NE(response->body.find("pping_packets_total"), std::string::npos) << "maps read with what is left";
    }
    const testing::Exit exit = p.Terminate();
    EXPECT_EQ(exit.code, 0) << exit.output;
    ExpectNothingAttached();
  }
}

// An exporter killed with SIGKILL cannot detach: its clsact filters stay,
// running its programs orphaned. The next one, in either mode, removes or
// replaces them (and says so), so exactly one set runs, and samples of a
// running ping go on.
TEST_F(CliInNamespace, ARestartAfterSigkillLeavesExactlyOneSetAttached) {
  testing::Process ping({"ip", "netns", "exec", netns_->name(), "ping", "-q", "-i", "0.05", "127.0.0.1"});
  const auto start = [&](int port, const std::string& mode) {
    return StartOnLoopback(port, {"--attach.tc-mode", mode});
  };
  for (const std::string mode : {"clsact", "tcx"}) {
    SCOPED_TRACE("restarted in " + mode + " mode");
    const int first_port = testing::FreeLocalPort();
    testing::Process first = start(first_port, "clsact");
    ASSERT_TRUE(testing::WaitUntilReady(first_port)) << first.Output();
    const std::vector<uint32_t> orphans = testing::ProgramIdsHeldBy(first.pid());
    kill(first.pid(), SIGKILL);
    first.Wait(std::chrono::seconds(5));
    EXPECT_EQ(testing::AttachedTo(netns_->name(), "lo").tc_programs.size(), 2u) << "SIGKILL left both filters";

    const int port = testing::FreeLocalPort();
    testing::Process second = start(port, mode);
    ASSERT_TRUE(testing::WaitUntilReady(port)) << second.Output();
    const testing::Attached attached = testing::AttachedTo(netns_->name(), "lo");
    const std::vector<uint32_t> held = testing::ProgramIdsHeldBy(second.pid());
    const auto ours = [&](uint32_t id) { return std::find(held.begin(), held.end(), id) != held.end(); };
    if (mode == "clsact") {
      EXPECT_EQ(attached.tc_programs.size(), 2u);
      for (const uint32_t id : attached.tc_programs) EXPECT_TRUE(ours(id)) << id;
      EXPECT_TRUE(attached.tcx.empty());
    } else {
      EXPECT_TRUE(attached.tc_programs.empty()) << "the orphaned filters were removed";
      EXPECT_EQ(attached.tcx.size(), 2u);
      for (const uint32_t id : attached.tcx) EXPECT_TRUE(ours(id)) << id;
    }
    EXPECT_FALSE(testing::AnyProgramStillLoaded(orphans)) << "the orphaned programs were unloaded";
    EXPECT_NE(second.Output().find("ended without detaching left on lo"), std::string::npos) << second.Output();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const auto metrics = testing::HttpGet(port, "/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_GT(testing::FindValue(testing::ParseExposition(metrics->body), "pping_rtt_samples_total", {}).value_or(0), 0)
        << "samples go on";
    EXPECT_EQ(second.Terminate().code, 0);
    const testing::Attached after = testing::AttachedTo(netns_->name(), "lo");
    EXPECT_TRUE(after.tc_programs.empty() && after.tcx.empty()) << "the second detached all it attached";
  }
}

// The same with XDP ingress: its program stays attached after SIGKILL,
// and the interface would refuse the next one's.
TEST_F(CliInNamespace, ARestartAfterSigkillWithXdpIngressReplacesTheOrphan) {
  const auto start = [&](int port) {
    return StartOnLoopback(port, {"--attach.ingress-hook", "xdp", "--attach.tc-mode", "clsact"});
  };
  const int first_port = testing::FreeLocalPort();
  testing::Process first = start(first_port);
  ASSERT_TRUE(testing::WaitUntilReady(first_port)) << first.Output();
  kill(first.pid(), SIGKILL);
  first.Wait(std::chrono::seconds(5));
  const testing::Attached orphaned = testing::AttachedTo(netns_->name(), "lo");
  ASSERT_NE(orphaned.xdp_program, 0u) << "SIGKILL left the XDP program";
  EXPECT_EQ(orphaned.tc_programs.size(), 1u) << "and the egress filter";

  const int port = testing::FreeLocalPort();
  testing::Process second = start(port);
  ASSERT_TRUE(testing::WaitUntilReady(port)) << second.Output();
  const testing::Attached attached = testing::AttachedTo(netns_->name(), "lo");
  const std::vector<uint32_t> held = testing::ProgramIdsHeldBy(second.pid());
  const auto ours = [&](uint32_t id) { return std::find(held.begin(), held.end(), id) != held.end(); };
  EXPECT_TRUE(ours(attached.xdp_program)) << attached.xdp_program;
  ASSERT_EQ(attached.tc_programs.size(), 1u);
  EXPECT_TRUE(ours(attached.tc_programs.front()));
  EXPECT_NE(second.Output().find("removed the XDP program"), std::string::npos) << second.Output();
  EXPECT_EQ(second.Terminate().code, 0);
  const testing::Attached after = testing::AttachedTo(netns_->name(), "lo");
  EXPECT_EQ(after.xdp_program, 0u);
  EXPECT_TRUE(after.tc_programs.empty());
}

// Two exporters on one interface at once: the second sees the first's
// filters held by a running exporter, leaves them and attaches beside
// them; each removes only its own.
TEST_F(CliInNamespace, ASecondExporterLeavesTheFirstsFilters) {
  const auto start = [&](int port) { return StartOnLoopback(port, {"--attach.tc-mode", "clsact"}); };
  const int first_port = testing::FreeLocalPort();
  testing::Process first = start(first_port);
  ASSERT_TRUE(testing::WaitUntilReady(first_port)) << first.Output();
  const int second_port = testing::FreeLocalPort();
  testing::Process second = start(second_port);
  ASSERT_TRUE(testing::WaitUntilReady(second_port)) << second.Output();
  EXPECT_EQ(testing::AttachedTo(netns_->name(), "lo").tc_programs.size(), 4u);
  EXPECT_NE(second.Output().find("a running pping_exporter holds it; attaching beside it"), std::string::npos)
      << second.Output();
  EXPECT_EQ(first.Terminate().code, 0);
  const std::vector<uint32_t> seconds = testing::ProgramIdsHeldBy(second.pid());
  const std::vector<uint32_t> left = testing::AttachedTo(netns_->name(), "lo").tc_programs;
  EXPECT_EQ(left.size(), 2u);
  for (const uint32_t id : left) {
    EXPECT_NE(std::find(seconds.begin(), seconds.end(), id), seconds.end()) << "the second's filters stay";
  }
  EXPECT_EQ(second.Terminate().code, 0);
  EXPECT_TRUE(testing::AttachedTo(netns_->name(), "lo").tc_programs.empty());
}

// A full disk under the event output: the exporter keeps running, counts
// every failed write on /metrics and logs it once (not once per write).
TEST_F(CliInNamespace, FailedOutputWritesAreCountedAndLoggedOnce) {
  const int port = testing::FreeLocalPort();
  testing::Process p =
      StartOnLoopback(port, {"--output.format", "jsonl", "--output.write", "/dev/full", "--sampling.rate-limit", "0"});
  ASSERT_TRUE(testing::WaitUntilReady(port)) << p.Output();
  const CommandResult ping =
      RunCommand({"ip", "netns", "exec", netns_->name(), "ping", "-c", "10", "-i", "0.05", "-q", "127.0.0.1"});
  ASSERT_EQ(ping.exit_code, 0) << ping.output;
  double failed = 0;
  for (int i = 0; i < 50 && failed < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto metrics = testing::HttpGet(port, "/metrics");
    ASSERT_TRUE(metrics);
    failed = testing::FindValue(testing::ParseExposition(metrics->body), "pping_exporter_output_write_errors_total", {})
                 .value_or(0);
  }
  EXPECT_GE(failed, 10) << "each RTT event of the 10 echoes failed to be written";
  const testing::Exit exit = p.Terminate();
  EXPECT_EQ(exit.code, 0) << exit.output;
  size_t logged = 0;
  for (size_t at = exit.output.find("write to /dev/full"); at != std::string::npos;
       at = exit.output.find("write to /dev/full", at + 1)) {
    ++logged;
  }
  EXPECT_EQ(logged, 1u) << exit.output;
  ExpectNothingAttached();
}

TEST(Cli, VersionAndHelp) {
  const auto version = testing::RunExporter({"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_NE(version.output.find("0."), std::string::npos);
  const auto help = testing::RunExporter({"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* flag : {"--web.telemetry-path", "--sampling.rate-limit", "--rate-limit", "DURATION"}) {
    EXPECT_NE(help.output.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace pping
