// SPDX-License-Identifier: Apache-2.0
// pping_exporter: passive per-subnet network latency for Prometheus.
// main only parses the command line and maps failures to exit codes.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "exporter/app.h"
#include "exporter/config.h"
#include "exporter/datapath.h"
#include "exporter/error.h"
#include "exporter/xdp_attach.h"

int main(int argc, char** argv) {
  const pping::ParseOutcome parsed = pping::ParseCommandLine(argc, argv);
  if (!parsed.config) {
    std::fprintf(parsed.exit_code == 0 ? stdout : stderr, "%s%s\n",
                 parsed.exit_code == 0 ? "" : "pping_exporter: error: ", parsed.message.c_str());
    return parsed.exit_code;
  }
  // Logs go to stderr: stdout belongs to the event output (--format).
  spdlog::set_default_logger(spdlog::stderr_color_mt("pping"));
  spdlog::set_level(spdlog::level::from_str(parsed.config->log_level));
  pping::RouteLibbpfLogToSpdlog();
  pping::RouteLibxdpLogToSpdlog();
  try {
    return pping::RunExporter(*parsed.config);
  } catch (const pping::UsageError& e) {
    std::fprintf(stderr, "pping_exporter: error: %s\n", e.what());
    return pping::kUsageExitCode;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pping_exporter: fatal: %s\n", e.what());
    return 1;
  }
}
