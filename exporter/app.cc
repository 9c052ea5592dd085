// SPDX-License-Identifier: Apache-2.0
#include "exporter/app.h"

#include <linux/capability.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <string.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "exporter/attach/attachment_manager.h"
#include "exporter/attach/interfaces.h"
#include "exporter/cleanup/bpf_cleanup_maps.h"
#include "exporter/cleanup/cleanup_iterators.h"
#include "exporter/cleanup/map_cleaner.h"
#include "exporter/console/console_output.h"
#include "exporter/exposition/collector.h"
#include "exporter/http/http_server.h"
#include "exporter/kernel/aggregation_drain.h"
#include "exporter/kernel/datapath.h"
#include "exporter/kernel/global_counters_reader.h"
#include "exporter/settings.h"
#include "exporter/stats/aggregator.h"
#include "exporter/util/periodic_task.h"
#include "exporter/util/thread_privileges.h"
#include "exporter/web_health.h"

namespace pping {
namespace {

using namespace std::chrono_literals;

// The named interfaces, or the one carrying the default route.
std::vector<Interface> ChooseInterfaces(const AttachOptions& options) {
  std::vector<std::string> names = options.interfaces;
  if (names.empty()) names.push_back(DefaultRouteInterface(options.netns));
  std::vector<Interface> out;
  for (const auto& name : names) out.push_back(ResolveInterface(name, options.netns));
  return out;
}

// The cleanup of the flow and timestamp maps: in the kernel where it
// accepts iterators, else from user space.
std::unique_ptr<MapCleaner> MakeCleaner(const Datapath& datapath, const Config& config,
                                        std::unique_ptr<CleanupIterators>& iterators) {
  iterators = CleanupIterators::TryLoad(datapath.flow_maps(), datapath.timestamp_maps(), config.cleanup);
  KernelExpiry kernel_expiry;
  if (iterators) kernel_expiry = [it = iterators.get()](uint64_t now) { return it->Run(now); };
  return std::make_unique<MapCleaner>(
      std::make_unique<BpfCleanupMaps>(datapath.flow_maps(), datapath.timestamp_maps()),
      MapCapacities{config.datapath.flow_map_size, config.datapath.timestamp_map_size,
                    config.datapath.flow_map_max_size, config.datapath.timestamp_map_max_size},
      config.cleanup, std::move(kernel_expiry));
}

// The data path from the kernel maps to /metrics and the console, in the
// order it is built. The programs are attached last, once everything that
// reads their maps stands (a bad --output.write path fails before anything
// is attached), and detached first; the periodic tasks, declared last, stop
// before anything they use goes.
struct Pipeline {
  Pipeline(const Config& config, const std::vector<Interface>& interfaces)
      : datapath(config.datapath),
        cleaner(MakeCleaner(datapath, config, iterators)),
        drain(datapath.aggregation_maps()),
        aggregator(drain, {.expiry = config.aggregation.series_expiry,
                           .windows = config.output.prints_aggregates(),
                           .max_prefixes = config.aggregation.max_tracked_prefixes}),
        counters(MakeGlobalCountersReader(datapath.global_counters())) {
    if (config.output.format) {
      console = std::make_unique<ConsoleOutput>(config.output, datapath.events(), aggregator);
      cleaner->set_closed_flow_sink([out = console.get()](const pp_flow_key& key, CleanupClose reason) {
        out->PrintClosedFlow(key, reason == CleanupClose::kTimeout ? FlowChange::kTimeout : FlowChange::kEvicted);
      });
    }
    const DatapathOptions& d = config.datapath;
    collector = std::make_shared<PpingCollector>(
        aggregator, counters, [this] { return cleaner->stats(); }, [this] { return attachments->Report(); },
        MapSizes{d.timestamp_map_size, d.flow_map_size, d.max_prefixes,
                 std::max(d.timestamp_map_max_size, d.timestamp_map_size),
                 std::max(d.flow_map_max_size, d.flow_map_size)},
        PrefixExposition(RttBucketLayout(config.histogram), d.track_retransmits,
                         [this](uint32_t ifindex) { return attachments ? attachments->InterfaceName(ifindex) : ""; }));
    if (console) collector->set_output_errors([this] { return console->failed_writes(); });
    attachments = std::make_unique<AttachmentManager>(interfaces, datapath.Programs(), config.attach.hooks);
  }

  // Drains run between scrapes too, so the kernel instances only ever hold
  // a short interval's prefixes however rarely Prometheus scrapes. The
  // draining and cleaning threads keep only the use of BPF descriptors;
  // the watch keeps what the main thread kept for attaching.
  void StartTasks(const Config& config) {
    const CapabilitySet bpf = BpfUseCapabilities();
    sync = std::make_unique<PeriodicTask>(
        "aggregation sync", config.aggregation.interval, [this] { aggregator.Sync(); }, TaskThread{"pping-sync", bpf});
    watch = std::make_unique<PeriodicTask>(
        "interface watch", 1s, [this] { attachments->Reconcile(); }, TaskThread{"pping-watch", std::nullopt});
    // Ticks often, so that a full map is relieved soon after.
    cleanup = std::make_unique<PeriodicTask>(
        "map cleanup", 100ms,
        [this] {
          const GlobalCounters c = counters();
          cleaner->Tick(MapCleaner::MonotonicNowNs(), c.map_full[PP_MAP_FLOW_STATE] + c.map_full[PP_MAP_PACKET_TS]);
        },
        TaskThread{"pping-cleanup", bpf});
  }

  Datapath datapath;
  std::unique_ptr<CleanupIterators> iterators;
  std::unique_ptr<MapCleaner> cleaner;
  AggregationDrain drain;
  Aggregator aggregator;
  GlobalCountersReader counters;
  std::unique_ptr<ConsoleOutput> console;
  std::shared_ptr<PpingCollector> collector;
  std::unique_ptr<AttachmentManager> attachments;
  std::unique_ptr<PeriodicTask> sync, watch, cleanup;
};

// What the process still needs once the programs are attached: using BPF
// descriptors (every thread that reads maps), and attaching the programs
// to an interface that comes back (the watch) or detaching them at exit
// (this thread): CAP_NET_ADMIN; CAP_SYS_ADMIN to enter --attach.netns, and
// for XDP, where libxdp finds what is attached by program id (which takes
// CAP_SYS_ADMIN) even to detach, and may load its dispatcher (CAP_PERFMON).
// Loading the programs, raising limits and reading other processes'
// descriptors are done by then.
CapabilitySet NeededAfterAttach(const AttachOptions& attach) {
  CapabilitySet keep = BpfUseCapabilities() | Capability(CAP_NET_ADMIN);
  if (!attach.netns.empty()) keep |= Capability(CAP_SYS_ADMIN);
  if (attach.hooks.ingress == IngressHook::kXdp) keep |= Capability(CAP_SYS_ADMIN) | Capability(CAP_PERFMON);
  return keep;
}

int WaitForSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

// Where the metrics are served, one URL per address bound: for ":9789",
// "http://[::]:9789/metrics".
std::vector<std::string> MetricsUrls(const HttpServer& http, const std::string& path) {
  std::vector<std::string> urls;
  for (const ListenAddress& bound : http.bound()) {
    urls.push_back(std::string(http.tls() ? "https://" : "http://") + bound.host + ":" + std::to_string(bound.port) +
                   path);
  }
  return urls;
}

// The config with what depends on the interfaces resolved: whether the
// per-prefix series are split by interface.
Config Resolved(const Config& config, const std::vector<Interface>& interfaces) {
  Config out = config;
  const InterfaceLabel label = config.aggregation.interface_label;
  out.datapath.per_interface =
      label == InterfaceLabel::kOn || (label == InterfaceLabel::kAuto && interfaces.size() > 1);
  return out;
}

}  // namespace

int RunExporter(const Config& given) {
  // Block the signals we handle in every thread started from here on, so
  // the main thread alone receives them through sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // reopens the --output.write file
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Everything the user named is checked before anything is loaded.
  const std::vector<Interface> interfaces = ChooseInterfaces(given.attach);
  const Config config = Resolved(given, interfaces);
  HttpServer http(config.web);
  TryRaiseMemlockLimit();
  Pipeline pipeline(config, interfaces);
  // No scrape may run while the pipeline is torn down, however this ends.
  struct StopServing {
    HttpServer& http;
    ~StopServing() { http.Stop(); }
  } stop_serving{http};
  http.AddSource(pipeline.collector);
  pipeline.collector->set_web_health([&http] { return WebHealthOf(http); });
  // Threads started from here on inherit the reduced set; those started
  // before reduced their own.
  const CapabilitySet kept = NeededAfterAttach(config.attach) & PermittedCapabilities();
  if (!RestrictThread("", kept)) {
    spdlog::warn("could not give up the capabilities no longer needed: {}", strerror(errno));
  } else {
    spdlog::debug("capabilities kept after attaching: {}", CapabilityNames(kept));
  }
  pipeline.StartTasks(config);
  http.SetReady(true);  // programs attached, collector registered
  const std::vector<std::string> urls = MetricsUrls(http, config.web.telemetry_path);
  std::vector<std::string> names;
  for (const Interface& interface : interfaces) names.push_back(interface.name);
  const Settings settings = EffectiveSettings(config, names, urls, http.tls(), http.basic_auth());
  http.SetLandingDetails(settings);
  spdlog::info("{}", StartupLine(settings));
  std::string joined;
  for (const std::string& url : urls) joined += (joined.empty() ? "" : ", ") + url;
  spdlog::info("serving metrics on {}", joined);
  for (int signal = WaitForSignal(signals);; signal = WaitForSignal(signals)) {
    if (signal == SIGHUP) {
      if (pipeline.console) pipeline.console->Reopen();
      continue;
    }
    spdlog::info("received {}, detaching", strsignal(signal));
    return 0;
  }
}

}  // namespace pping
