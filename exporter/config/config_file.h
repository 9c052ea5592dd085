// SPDX-License-Identifier: Apache-2.0
// What a --config.file must be before the flag parser reads it: a small
// regular text file of `key = value` lines, each value complete on its
// line. The parser's own TOML reader takes much else silently (random
// bytes, an unterminated string as a literal, an unterminated array
// swallowing the lines after it, an endless device read whole).
#pragma once

#include <cstddef>
#include <string>

namespace pping {

// Larger than any config of every flag many times over.
inline constexpr size_t kMaxConfigFileBytes = 1 << 20;

// Why the file at `path` cannot be a config file, in one line ("line 3:
// ..." where a line is at fault); empty if it can.
std::string ConfigFileProblem(const std::string& path);

// The same for the file's text, already read.
std::string ConfigTextProblem(const std::string& text);

}  // namespace pping
