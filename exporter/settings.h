// SPDX-License-Identifier: Apache-2.0
// The settings a running exporter works with, after defaults, the config
// file and the flags are applied and the interfaces resolved: logged once
// at start and shown on the landing page, so an operator sees what is in
// force without reading the command line.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "exporter/config/config.h"

namespace pping {

using Settings = std::vector<std::pair<std::string, std::string>>;

// `interfaces`: the names monitored; `urls`: where metrics are served.
Settings EffectiveSettings(const Config& config, const std::vector<std::string>& interfaces,
                           const std::vector<std::string>& urls, bool tls, bool basic_auth);

// "pping_exporter 0.1.0 started (branch: main, revision: ..., built ...,
// gcc ..., libbpf 1.1); interfaces=eth0 ingress_hook=tc ...".
std::string StartupLine(const Settings& settings);

}  // namespace pping
