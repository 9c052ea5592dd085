// SPDX-License-Identifier: Apache-2.0
#include "exporter/offline.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "exporter/cleanup/bpf_cleanup_maps.h"
#include "exporter/cleanup/map_cleaner.h"
#include "exporter/console/console_output.h"
#include "exporter/exposition/collector.h"
#include "exporter/http/http_server.h"
#include "exporter/kernel/aggregation_drain.h"
#include "exporter/kernel/datapath.h"
#include "exporter/kernel/global_counters_reader.h"
#include "exporter/kernel/map_batch.h"
#include "exporter/kernel/packet_runner.h"
#include "exporter/replay/capture.h"
#include "exporter/replay/direction.h"
#include "exporter/replay/frame.h"
#include "exporter/stats/aggregator.h"
#include "exporter/util/error.h"
#include "exporter/util/owned.h"

namespace pping {
namespace {

using std::chrono::nanoseconds;

std::chrono::system_clock::time_point WallTime(uint64_t ns) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(nanoseconds(ns)));
}

// Work due every `period` of capture time.
class Every {
 public:
  explicit Every(nanoseconds period) : period_(static_cast<uint64_t>(period.count())) {}
  // True once per period at most, the first time at the first packet.
  bool Due(uint64_t now) {
    if (now < next_) return false;
    next_ = now + period_;
    return true;
  }

 private:
  uint64_t period_;
  uint64_t next_ = 0;
};

// The data path a capture is replayed through: the live one's stages, moved
// along by the capture's time instead of by threads and the clock.
class ReplaySession {
 public:
  ReplaySession(const Config& config, FrameAdapter& frames)
      : config_(config),
        frames_(frames),
        datapath_(config.datapath),
        egress_(UniqueFd::Dup(datapath_.Programs().ethernet.tc_egress.get())),
        ingress_(UniqueFd::Dup(datapath_.Programs().ethernet.tc_ingress.get())),
        direction_(config.replay->local, config.replay->local_macs),
        flows_(datapath_.flow_state()),
        cleaner_(std::make_unique<BpfCleanupMaps>(datapath_.flow_state(), datapath_.packet_ts()),
                 MapCapacities{config.datapath.flow_map_size, config.datapath.timestamp_map_size}, config.cleanup),
        drain_(datapath_.aggregation_maps()),
        aggregator_(drain_, {.expiry = config.aggregation.series_expiry, .windows = config.output.prints_aggregates()},
                    [this] { return std::chrono::steady_clock::time_point(nanoseconds(now_)); }),
        counters_(MakeGlobalCountersReader(datapath_.global_counters())),
        syncs_(config.aggregation.interval),
        sweeps_(config.cleanup.interval),
        aggregates_(config.output.aggregate.count() > 0 ? config.output.aggregate : std::chrono::hours(1)) {
    if (config.output.format) {
      console_ =
          std::make_unique<ConsoleOutput>(config.output, datapath_.events(), aggregator_, ConsoleOutput::Mode::kReplay);
      cleaner_.set_closed_flow_sink([this](const pp_flow_key& key, CleanupClose reason) {
        console_->PrintClosedFlow(key, reason == CleanupClose::kTimeout ? FlowChange::kTimeout : FlowChange::kEvicted,
                                  WallTime(now_));
      });
    }
    const DatapathOptions& d = config.datapath;
    collector_ = std::make_shared<PpingCollector>(
        aggregator_, counters_, [this] { return cleaner_.stats(); }, [] { return AttachmentReport{}; },
        MapSizes{d.timestamp_map_size, d.flow_map_size, d.max_prefixes}, RttBucketLayout(config.histogram));
  }

  void Replay(const CapturedPacket& packet) {
    // The periodic work follows the capture's clock forwards only: captures
    // merged from several interfaces or CPUs step back a little at times.
    // Each packet still goes in at its own time, as any analysis of the
    // capture reads it; the datapath takes a time behind an earlier one (an
    // echo timed before its stamp gives no RTT).
    now_ = std::max(now_, packet.time_ns);
    if (first_ns_ == 0) first_ns_ = now_;
    Periodic();
    const std::optional<EthernetFrame> frame = frames_.Adapt(packet.data, packet.wire_len);
    if (!frame) {
      ++unreadable_;
      return;
    }
    (direction_.Outgoing(frame->summary) ? egress_ : ingress_).Run(frame->bytes, packet.time_ns, frame->wire_len);
    if (console_) console_->DrainEvents();
  }

  // The end of the capture: the last interval drained, what expired by
  // then removed, and the flows still open reported. Returns how many.
  size_t Finish() {
    cleaner_.Sweep(now_);
    aggregator_.Sync();
    if (console_) {
      console_->DrainEvents();
      console_->PrintAggregates(WallTime(now_));
    }
    size_t open = 0;
    ForEachEntry<pp_flow_key, pp_flow_state>(flows_.fd(), [&](const pp_flow_key& key, const pp_flow_state&) {
      ++open;
      if (console_) console_->PrintClosedFlow(key, FlowChange::kCaptureEnd, WallTime(now_));
    });
    return open;
  }

  std::shared_ptr<PpingCollector> collector() const { return collector_; }
  uint64_t samples() const { return counters_().rtt_samples; }
  double seconds() const { return static_cast<double>(now_ - first_ns_) / 1e9; }
  uint64_t unreadable() const { return unreadable_; }

 private:
  void Periodic() {
    if (sweeps_.Due(now_)) cleaner_.Sweep(now_);
    if (syncs_.Due(now_)) aggregator_.Sync();
    if (console_ && config_.output.prints_aggregates() && aggregates_.Due(now_) && now_ != first_ns_) {
      console_->PrintAggregates(WallTime(now_));
    }
  }

  const Config& config_;
  FrameAdapter& frames_;
  Datapath datapath_;
  PacketRunner egress_, ingress_;
  DirectionOracle direction_;
  FlowMap flows_;
  MapCleaner cleaner_;
  AggregationDrain drain_;
  Aggregator aggregator_;
  GlobalCountersReader counters_;
  std::unique_ptr<ConsoleOutput> console_;
  std::shared_ptr<PpingCollector> collector_;
  Every syncs_, sweeps_, aggregates_;
  uint64_t now_ = 0, first_ns_ = 0, unreadable_ = 0;
};

// Where the final exposition goes: the file asked for, stdout when nothing
// else was asked for, or nowhere.
Owned<std::FILE, std::fclose> OpenMetricsOutput(const Config& config) {
  const ReplayOptions& r = *config.replay;
  const bool to_stdout = r.metrics_file == "-" || (r.metrics_file.empty() && !r.serve && !config.output.format);
  if (to_stdout) return Owned<std::FILE, std::fclose>(fdopen(dup(STDOUT_FILENO), "w"));
  if (r.metrics_file.empty()) return nullptr;
  Owned<std::FILE, std::fclose> file(std::fopen(r.metrics_file.c_str(), "w"));
  if (!file) throw UsageError(ErrnoMessage("open --replay.metrics-file " + r.metrics_file, errno));
  return file;
}

int WaitForSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

}  // namespace

int RunReplay(const Config& config) {
  // Everything the user named is checked before anything is loaded.
  CaptureReader capture(config.replay->file);
  FrameAdapter frames(capture.link_type());
  const Owned<std::FILE, std::fclose> metrics = OpenMetricsOutput(config);
  std::unique_ptr<HttpServer> http;
  if (config.replay->serve) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the server's threads leave them to sigwait
    http = std::make_unique<HttpServer>(config.web.listen_address, config.web.telemetry_path);
  }
  TryRaiseMemlockLimit();
  ReplaySession session(config, frames);
  for (CapturedPacket packet; capture.Next(packet);) session.Replay(packet);
  const size_t open = session.Finish();
  spdlog::info("replayed {} packets ({} unreadable) over {:.3f} s of capture {}: {} RTT samples, {} flows still open",
               capture.packets_read(), session.unreadable(), session.seconds(), capture.path(), session.samples(),
               open);
  if (metrics && !WriteExposition(*session.collector(), metrics.get())) {
    throw Error(ErrnoMessage("write the metrics of " + capture.path(), errno));
  }
  if (!http) return 0;
  http->AddSource(session.collector());
  http->SetReady(true);
  spdlog::info("serving the replay's metrics on port {} until SIGINT/SIGTERM", http->port());
  WaitForSignal();
  http->Stop();
  return 0;
}

}  // namespace pping
