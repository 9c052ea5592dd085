// SPDX-License-Identifier: Apache-2.0
#include "exporter/offline.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

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
#include "exporter/web_health.h"

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
    next_ = now > UINT64_MAX - period_ ? UINT64_MAX : now + period_;
    return true;
  }
  // The capture's clock stepped back: due again from `now` on.
  void Restart() { next_ = 0; }

 private:
  uint64_t period_;
  uint64_t next_ = 0;
};

// A capture's clock may step back a little (merged from several CPUs or
// interfaces); a step back by more than this is taken as the clock being
// set: the periodic work follows it.
constexpr uint64_t kClockStepNs = 1'000'000'000;
constexpr auto kTickPeriod = std::chrono::milliseconds(100);  // as live: a full map is relieved soon after

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
        cleaner_(std::make_unique<BpfCleanupMaps>(datapath_.flow_maps(), datapath_.timestamp_maps()),
                 MapCapacities{config.datapath.flow_map_size, config.datapath.timestamp_map_size,
                               config.datapath.flow_map_max_size, config.datapath.timestamp_map_max_size},
                 config.cleanup),
        drain_(datapath_.aggregation_maps()),
        aggregator_(drain_,
                    {.expiry = config.aggregation.series_expiry,
                     .windows = config.output.prints_aggregates(),
                     .max_prefixes = config.aggregation.max_tracked_prefixes},
                    [this] { return std::chrono::steady_clock::time_point(nanoseconds(now_)); }),
        counters_(MakeGlobalCountersReader(datapath_.global_counters())),
        syncs_(config.aggregation.interval),
        ticks_(kTickPeriod),
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
        MapSizes{d.timestamp_map_size, d.flow_map_size, d.max_prefixes,
                 std::max(d.timestamp_map_max_size, d.timestamp_map_size),
                 std::max(d.flow_map_max_size, d.flow_map_size)},
        PrefixExposition(RttBucketLayout(config.histogram), d.track_retransmits));
    if (console_) collector_->set_output_errors([this] { return console_->failed_writes(); });
  }

  void Replay(const CapturedPacket& packet) {
    Advance(packet);
    Periodic();
    const std::optional<EthernetFrame> frame = frames_.Adapt(packet.data, packet.wire_len);
    if (!frame) {
      ++too_short_;
      return;
    }
    // Each packet goes in at its own time, as any analysis of the capture
    // reads it, even a little behind the one before: the datapath gives no
    // RTT for an echo timed before its stamp.
    PacketRunner& runner = direction_.Outgoing(frame->summary) ? egress_ : ingress_;
    if (runner.Run(frame->bytes, packet.time_ns, frame->wire_len) == PacketRunner::Result::kRefused) {
      if (refused_++ == 0) {
        spdlog::warn(
            "{}: the kernel refused packet {} ({} bytes captured, {} on the wire), as it refuses an IP "
            "packet that ends inside its header; such packets are counted as not replayed",
            config_.replay->file, packet.number, packet.data.size(), packet.wire_len);
      }
      return;
    }
    ++since_sync_;
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
    ForEachEntry<pp_flow_key, pp_flow_state>(
        datapath_.flow_state().fd(), [&](const pp_flow_key& key, const pp_flow_state&) {
          ++open;
          if (console_) console_->PrintClosedFlow(key, FlowChange::kCaptureEnd, WallTime(now_));
        });
    return open;
  }

  std::shared_ptr<PpingCollector> collector() const { return collector_; }
  uint64_t samples() const { return counters_().rtt_samples; }
  double seconds() const { return static_cast<double>(covered_ns_ + (now_ - span_start_)) / 1e9; }
  uint64_t not_replayed() const { return too_short_ + refused_; }
  const DirectionOracle& direction() const { return direction_; }

 private:
  // Moves the clock of the periodic work to the packet's time: forwards, or
  // back when the capture's clock was set back.
  void Advance(const CapturedPacket& packet) {
    const uint64_t t = packet.time_ns;
    if (!started_ || t + kClockStepNs < now_) {
      if (started_ && steps_++ == 0) {
        spdlog::warn(
            "{}: the capture's clock steps back by {:.3f} s at packet {}; the cleanup and the drains "
            "follow it from there",
            config_.replay->file, static_cast<double>(now_ - t) / 1e9, packet.number);
      }
      covered_ns_ += now_ - span_start_;
      started_ = true;
      now_ = span_start_ = t;
      for (Every* every : {&syncs_, &ticks_, &aggregates_}) every->Restart();
      return;
    }
    now_ = std::max(now_, t);
  }

  void Periodic() {
    if (ticks_.Due(now_)) {
      const GlobalCounters c = counters_();
      cleaner_.Tick(now_, c.map_full[PP_MAP_FLOW_STATE] + c.map_full[PP_MAP_PACKET_TS]);
    }
    // A drain waits for the kernel to let go of the instance it flips away
    // from: skipped while no packet ran since the last one.
    if (syncs_.Due(now_) && since_sync_ > 0) {
      aggregator_.Sync();
      since_sync_ = 0;
    }
    if (console_ && config_.output.prints_aggregates() && aggregates_.Due(now_) && now_ != span_start_) {
      console_->PrintAggregates(WallTime(now_));
    }
  }

  const Config& config_;
  FrameAdapter& frames_;
  Datapath datapath_;
  PacketRunner egress_, ingress_;
  DirectionOracle direction_;
  MapCleaner cleaner_;
  AggregationDrain drain_;
  Aggregator aggregator_;
  GlobalCountersReader counters_;
  std::unique_ptr<ConsoleOutput> console_;
  std::shared_ptr<PpingCollector> collector_;
  Every syncs_, ticks_, aggregates_;
  bool started_ = false;
  uint64_t now_ = 0;
  uint64_t span_start_ = 0, covered_ns_ = 0;  // capture time covered, across steps of its clock
  uint64_t too_short_ = 0, refused_ = 0, since_sync_ = 0, steps_ = 0;
};

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Where the final exposition goes: the file asked for, written beside it
// first and renamed over it once whole (a failed replay leaves the old file
// as it was), stdout when nothing else was asked for, or nowhere.
class MetricsOutput {
 public:
  explicit MetricsOutput(const Config& config) {
    const ReplayOptions& r = *config.replay;
    const bool to_stdout = r.metrics_file == "-" || (r.metrics_file.empty() && !r.serve && !config.output.format);
    if (to_stdout) {
      UniqueFd out = UniqueFd::Dup(STDOUT_FILENO);
      file_.reset(fdopen(out.get(), "w"));
      if (!file_) throw Error(ErrnoMessage("write the metrics to stdout", errno));
      out.release();  // the FILE owns it now
      return;
    }
    if (r.metrics_file.empty()) return;
    path_ = r.metrics_file;
    if (SameFile(path_, r.file)) throw UsageError("--replay.metrics-file " + path_ + " is the capture itself");
    temporary_ = path_ + ".tmp-XXXXXX";
    UniqueFd fd(mkostemp(temporary_.data(), O_CLOEXEC));
    if (!fd) throw UsageError(ErrnoMessage("write --replay.metrics-file " + path_, errno));
    file_.reset(fdopen(fd.get(), "w"));
    if (!file_) throw Error(ErrnoMessage("write --replay.metrics-file " + path_, errno));
    fd.release();  // the FILE owns it now
  }
  ~MetricsOutput() {
    if (!temporary_.empty()) unlink(temporary_.c_str());
  }
  MetricsOutput(const MetricsOutput&) = delete;
  MetricsOutput& operator=(const MetricsOutput&) = delete;

  void Write(ExpositionSource& source) {
    if (!file_) return;
    const std::string where = path_.empty() ? "stdout" : path_;
    if (!WriteExposition(source, file_.get())) throw Error(ErrnoMessage("write the metrics to " + where, errno));
    if (temporary_.empty()) return;
    if (std::fclose(file_.release()) != 0 || rename(temporary_.c_str(), path_.c_str()) != 0) {
      throw Error(ErrnoMessage("write the metrics to " + where, errno));
    }
    temporary_.clear();
  }

 private:
  Owned<std::FILE, std::fclose> file_;
  std::string path_, temporary_;
};

// SIGINT and SIGTERM stop a replay: between packets, or in a read of a
// capture that blocks (a FIFO), which they interrupt (no SA_RESTART).
volatile std::sig_atomic_t stop_signal = 0;

void OnStopSignal(int signal) { stop_signal = signal; }

void CatchStopSignals() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGINT, SIGTERM}) sigaction(signal, &action, nullptr);
}

void LogSummary(const CaptureReader& capture, const ReplaySession& session, size_t open) {
  spdlog::info("replayed {} packets ({} not replayed) over {:.3f} s of capture {}: {} RTT samples, {} flows still open",
               capture.packets_read(), session.not_replayed() + capture.bad_times(), session.seconds(), capture.path(),
               session.samples(), open);
  const DirectionOracle& d = session.direction();
  using Rule = DirectionOracle::Rule;
  if (d.side_given() && d.decided_by(Rule::kGivenSide) == 0) {
    spdlog::warn("--replay.local and --replay.local-mac matched no packet of {}: every direction was inferred",
                 capture.path());
  }
  spdlog::info(
      "directions: {} by the given side, {} by the capture's record, {} by flow openings, {} by addresses "
      "seen in openings, {} guessed from ports",
      d.decided_by(Rule::kGivenSide), d.decided_by(Rule::kCookedRecord), d.decided_by(Rule::kOpening),
      d.decided_by(Rule::kLearntAddress), d.decided_by(Rule::kGuessed));
  if (d.decided_by(Rule::kGuessed) > 0) {
    spdlog::warn(
        "{} packets' direction was guessed (the side with the higher port taken as local): if the capture "
        "was not taken on the client side, give --replay.local or --replay.local-mac",
        d.decided_by(Rule::kGuessed));
  }
}

}  // namespace

int RunReplay(const Config& config) {
  // Everything the user named is checked before anything is loaded.
  if (config.aggregation.interface_label == InterfaceLabel::kOn) {
    throw UsageError("--aggregation.interface-label on: a capture's packets have no interface");
  }
  CaptureReader capture(config.replay->file);
  FrameAdapter frames(capture.link_type());
  if (!config.output.write_path.empty() && SameFile(config.output.write_path, config.replay->file)) {
    throw UsageError("--output.write " + config.output.write_path + " is the capture itself");
  }
  MetricsOutput metrics(config);
  CatchStopSignals();
  const std::unique_ptr<HttpServer> http = config.replay->serve ? std::make_unique<HttpServer>(config.web) : nullptr;
  TryRaiseMemlockLimit();
  ReplaySession session(config, frames);
  for (CapturedPacket packet; !stop_signal;) {
    bool more = false;
    try {
      more = capture.Next(packet);
    } catch (const UsageError&) {
      if (!stop_signal) throw;  // else the read was interrupted, not malformed
    }
    if (!more || stop_signal) break;
    session.Replay(packet);
  }
  if (stop_signal) {
    spdlog::warn("replay of {} interrupted after {} packets: nothing written", capture.path(), capture.packets_read());
    return 128 + stop_signal;
  }
  const size_t open = session.Finish();
  LogSummary(capture, session, open);
  metrics.Write(*session.collector());
  if (!http) return 0;
  http->AddSource(session.collector());
  session.collector()->set_web_health([&http = *http] { return WebHealthOf(http); });
  http->SetReady(true);
  spdlog::info("serving the replay's metrics on port {} until SIGINT/SIGTERM", http->port());
  while (!stop_signal) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  http->Stop();
  return 0;
}

}  // namespace pping
