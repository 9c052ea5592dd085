// SPDX-License-Identifier: Apache-2.0
// pping_exporter: passive per-subnet network latency for Prometheus.
// main only parses the command line and maps failures to exit codes.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "exporter/app.h"
#include "exporter/attach/xdp_attach.h"
#include "exporter/config/config.h"
#include "exporter/http/http_server.h"
#include "exporter/kernel/datapath.h"
#include "exporter/offline.h"
#include "exporter/util/error.h"

namespace {

spdlog::level::level_enum SpdlogLevel(pping::LogLevel level) {
  switch (level) {
    case pping::LogLevel::kTrace: return spdlog::level::trace;
    case pping::LogLevel::kDebug: return spdlog::level::debug;
    case pping::LogLevel::kInfo: return spdlog::level::info;
    case pping::LogLevel::kWarn: return spdlog::level::warn;
    case pping::LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

int main(int argc, char** argv) {
  const pping::ParseOutcome parsed = pping::ParseCommandLine(argc, argv);
  if (!parsed.config) {
    std::fprintf(parsed.exit_code == 0 ? stdout : stderr, "%s%s\n",
                 parsed.exit_code == 0 ? "" : "pping_exporter: error: ", parsed.message.c_str());
    return parsed.exit_code;
  }
  if (parsed.config->check_only) {
    try {
      if (!parsed.config->web.config_file.empty()) pping::CheckWebConfigFile(parsed.config->web.config_file);
    } catch (const pping::UsageError& e) {
      std::fprintf(stderr, "pping_exporter: error: %s\n", e.what());
      return pping::kUsageExitCode;
    }
    std::printf("pping_exporter: flags and config file are valid\n");
    return 0;
  }
  // Logs go to stderr: stdout belongs to the event output (--output.format).
  spdlog::set_default_logger(spdlog::stderr_logger_mt("pping"));
  spdlog::set_formatter(pping::MakeLogFormatter(parsed.config->log_format));
  spdlog::set_level(SpdlogLevel(parsed.config->log_level));
  pping::RouteLibbpfLogToSpdlog();
  pping::RouteLibxdpLogToSpdlog();
  try {
    return parsed.config->replay ? pping::RunReplay(*parsed.config) : pping::RunExporter(*parsed.config);
  } catch (const pping::UsageError& e) {
    std::fprintf(stderr, "pping_exporter: error: %s\n", e.what());
    return pping::kUsageExitCode;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pping_exporter: error: %s\n", e.what());
    return pping::kFailureExitCode;
  }
}
