// SPDX-License-Identifier: Apache-2.0
// The `replay FILE` subcommand: read a packet capture through the same
// programs instead of watching interfaces.
#pragma once

#include <CLI/CLI.hpp>

#include "exporter/replay/replay_options.h"

namespace pping {

// Adds the subcommand and its flags, filling `options` when given.
CLI::App* AddReplayCommand(CLI::App& app, ReplayOptions& options);

}  // namespace pping
