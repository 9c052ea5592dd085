// SPDX-License-Identifier: Apache-2.0
// The exporter's version, reported by --version and pping_exporter_build_info.
#pragma once

#include <string_view>

namespace pping {

inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace pping
