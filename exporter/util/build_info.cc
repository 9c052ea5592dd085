// SPDX-License-Identifier: Apache-2.0
#include "exporter/util/build_info.h"

#include <bpf/libbpf.h>

#include <ctime>

#include "exporter/util/build_stamp.h"
#include "exporter/util/version.h"

namespace pping {
namespace {

std::string Compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#else
  return "unknown";
#endif
}

std::string Utc(long long seconds) {
  if (seconds <= 0) return "unknown";
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

const BuildInfo& GetBuildInfo() {
  static const BuildInfo info{
      .version = std::string(kVersion),
      .revision = kBuildRevision,
      .branch = kBuildBranch,
      .build_date = Utc(kBuildTimestamp),
      .compiler = Compiler(),
      .libbpf = std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version()),
  };
  return info;
}

std::string VersionText() {
  const BuildInfo& b = GetBuildInfo();
  return "pping_exporter, version " + b.version + " (branch: " + b.branch + ", revision: " + b.revision +
         ")\n  build date:  " + b.build_date + "\n  compiler:    " + b.compiler + "\n  libbpf:      " + b.libbpf;
}

}  // namespace pping
