// SPDX-License-Identifier: Apache-2.0
// What the running exporter is: its version, the revision and branch it
// was built from, when, by which compiler, and the libbpf it runs with.
// Reported by --version, pping_exporter_build_info, the startup log line
// and the landing page.
#pragma once

#include <string>

namespace pping {

struct BuildInfo {
  std::string version;     // "0.1.0"
  std::string revision;    // git revision (12 hex digits, "-modified" if the tree was), or "unknown"
  std::string branch;      // or "unknown"
  std::string build_date;  // UTC, "2026-11-30T09:33:00Z": when the stamp was last made
  std::string compiler;    // "gcc 12.2.0"
  std::string libbpf;      // the libbpf linked at run time, "1.1"
};

const BuildInfo& GetBuildInfo();

// The --version text, in the exporter toolkit's shape.
std::string VersionText();

}  // namespace pping
