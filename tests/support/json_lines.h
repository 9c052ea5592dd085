// SPDX-License-Identifier: Apache-2.0
// Reading what the exporter's event output wrote: one JSON object a line.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pping::testing {

// Every line of the file parsed; a line that does not parse is a test
// failure (and left out).
std::vector<nlohmann::json> ReadJsonLines(const std::string& path);

// A path in the test's own temporary folder (TEST_TMPDIR, else /tmp).
std::string TempPath(const std::string& name);

}  // namespace pping::testing
