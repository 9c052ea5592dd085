// SPDX-License-Identifier: Apache-2.0
#include "exporter/app.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <string.h>

#include <memory>
#include <thread>

#include "exporter/attachment_manager.h"
#include "exporter/bpf_aggregation_source.h"
#include "exporter/cleanup_iterators.h"
#include "exporter/collector.h"
#include "exporter/datapath.h"
#include "exporter/datapath_config.h"
#include "exporter/error.h"
#include "exporter/events/console_output.h"
#include "exporter/http_server.h"
#include "exporter/interfaces.h"
#include "exporter/lab/lab.h"
#include "exporter/map_cleaner.h"
#include "exporter/periodic_task.h"
#include "exporter/prefix.h"

namespace pping {
namespace {

// Where the programs go: the demo lab's client side, the named interfaces,
// or the default-route interface.
std::vector<Interface> ChooseInterfaces(const Config& config, const Lab* lab) {
  if (lab) return {ResolveInterface(lab->monitored_interface(), lab->client_netns())};
  std::vector<std::string> names = config.interfaces;
  if (names.empty()) names.push_back(DefaultRouteInterface(config.netns));
  std::vector<Interface> out;
  for (const auto& name : names) out.push_back(ResolveInterface(name, config.netns));
  return out;
}

HookOptions MakeHookOptions(const Config& config) {
  return {ParseAttachPolicy(config.attach_mode), config.ingress_hook == "xdp", ParseXdpMode(config.xdp_mode)};
}

int WaitForSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

}  // namespace

int RunExporter(const Config& config) {
  // Block the signals we handle in every thread started from here on, so
  // the main thread alone receives them through sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // reopens the --write file
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<Lab> lab;
  if (config.demo) lab = std::make_unique<Lab>(LabOptions{"pping-demo", config.demo->delay});
  const std::vector<Interface> interfaces = ChooseInterfaces(config, lab.get());
  HttpServer http(config.listen_address, config.telemetry_path);
  TryRaiseMemlockLimit();
  Datapath datapath(MakeDatapathOptions(config));
  AttachmentManager attachments(interfaces, datapath, MakeHookOptions(config));
  std::unique_ptr<CleanupIterators> iterators = CleanupIterators::TryLoad(datapath, config.cleanup);
  KernelExpiry kernel_expiry;
  if (iterators) kernel_expiry = [&iterators](uint64_t now) { return iterators->Run(now); };
  MapCleaner cleaner(datapath.flow_state_fd(), datapath.packet_ts_fd(),
                     {config.flow_map_size, config.timestamp_map_size}, config.cleanup, kernel_expiry);
  BpfAggregationSource source(datapath.aggregation_maps());
  Aggregator aggregator(source, {.expiry = config.series_expiry, .windows = config.output.prints_aggregates()});
  std::unique_ptr<ConsoleOutput> console;
  if (!config.output.format.empty()) {
    console = std::make_unique<ConsoleOutput>(config.output, datapath.events_fd(), aggregator);
    cleaner.set_closed_flow_sink(console->closed_flow_sink());
  }
  const GlobalCountersReader counters = MakeBpfGlobalCountersReader(datapath.global_counters_fd());
  auto collector = std::make_shared<PpingCollector>(
      aggregator, counters, [&cleaner] { return cleaner.stats(); }, [&attachments] { return attachments.Report(); },
      MapSizes{config.timestamp_map_size, config.flow_map_size, config.max_prefixes},
      RttBucketLayout(config.histogram));
  http.AddSource(collector);
  // Drain between scrapes too, so the kernel instances only ever hold a
  // short interval's prefixes however rarely Prometheus scrapes.
  PeriodicTask sync("aggregation sync", config.aggregation_interval, [&aggregator] { aggregator.Sync(); });
  http.SetReady(true);  // programs attached, collector registered
  PeriodicTask watch("interface watch", std::chrono::seconds(1), [&attachments] { attachments.Reconcile(); });
  // Ticks often so that a full map is relieved within ~100 ms.
  PeriodicTask cleanup("map cleanup", std::chrono::milliseconds(100), [&cleaner, &counters] {
    const GlobalCounters c = counters();
    cleaner.Tick(MapCleaner::MonotonicNowNs(), c.map_full[PP_MAP_FLOW_STATE] + c.map_full[PP_MAP_PACKET_TS]);
  });
  spdlog::info("serving metrics on http://{}:{}{}",
               config.listen_address.front() == ':' ? "localhost"
                                                    : config.listen_address.substr(0, config.listen_address.rfind(':')),
               http.port(), config.telemetry_path);
  if (lab) spdlog::info("demo: {}", lab->Describe());
  for (int signal = WaitForSignal(signals);; signal = WaitForSignal(signals)) {
    if (signal == SIGHUP && console) {
      console->Reopen();
      continue;
    }
    if (signal == SIGHUP) continue;
    spdlog::info("received {}, detaching", strsignal(signal));
    break;
  }
  http.Stop();  // no scrape may run while the parts below are torn down
  return 0;
}

}  // namespace pping
