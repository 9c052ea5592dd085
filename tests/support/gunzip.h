// SPDX-License-Identifier: Apache-2.0
// Reads a gzip body back, as a scraper would, for tests.
#pragma once

#include <optional>
#include <string>

namespace pping::testing {

// The data of `in`, one whole gzip member and nothing after it; nullopt
// when it is not one.
std::optional<std::string> Gunzip(const std::string& in);

}  // namespace pping::testing
