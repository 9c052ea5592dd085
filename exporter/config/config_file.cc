// SPDX-License-Identifier: Apache-2.0
#include "exporter/config/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "exporter/util/unique_fd.h"

namespace pping {
namespace {

// The length of the UTF-8 sequence at `at`, or 0 if it is not one.
size_t Utf8Length(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
  }
  return length;
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

bool IsBareValueChar(char c) { return IsKeyChar(c) || c == '+' || c == ':'; }

// Skips a quoted string starting at `at` (its quote); returns the index
// past its closing quote, or npos if the line ends first.
size_t SkipString(std::string_view line, size_t at) {
  const char quote = line[at];
  for (size_t i = at + 1; i < line.size(); ++i) {
    if (quote == '"' && line[i] == '\\') {
      ++i;
    } else if (line[i] == quote) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

size_t SkipSpace(std::string_view line, size_t at) {
  while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
  return at;
}

// Why `value` (from after the '=' to the end of the line) is not one
// complete value, optionally followed by a comment; empty if it is.
std::string ValueProblem(std::string_view line, size_t at) {
  at = SkipSpace(line, at);
  if (at == line.size() || line[at] == '#') return "no value after '='";
  if (line[at] == '"' || line[at] == '\'') {
    at = SkipString(line, at);
    if (at == std::string_view::npos) return "a string without its closing quote";
  } else if (line[at] == '[') {
    for (++at;; ++at) {
      at = SkipSpace(line, at);
      if (at >= line.size()) return "an array not closed on its line";
      if (line[at] == ']') break;
      if (line[at] == '"' || line[at] == '\'') {
        at = SkipString(line, at);
        if (at == std::string_view::npos) return "a string without its closing quote";
        --at;
      } else if (!IsBareValueChar(line[at]) && line[at] != ',') {
        return std::string("'") + line[at] + "' in an array";
      }
    }
    ++at;
  } else {
    while (at < line.size() && IsBareValueChar(line[at])) ++at;
  }
  at = SkipSpace(line, at);
  if (at < line.size() && line[at] != '#') return "more after the value";
  return "";
}

std::string LineProblem(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t at = SkipSpace(line, 0);
  if (at == line.size() || line[at] == '#') return "";
  if (line[at] == '[') return "sections are not used: keys are the flags' long names";
  const size_t key = at;
  while (at < line.size() && IsKeyChar(line[at])) ++at;
  if (at == key) return "not a 'key = value' line";
  at = SkipSpace(line, at);
  if (at == line.size() || line[at] != '=') return "not a 'key = value' line";
  return ValueProblem(line, at + 1);
}

}  // namespace

std::string ConfigTextProblem(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
      return "not text: control byte " + std::to_string(static_cast<int>(static_cast<unsigned char>(c)));
    }
    const size_t length = Utf8Length(text, i);
    if (length == 0) return "not text: invalid UTF-8";
    i += length;
  }
  size_t number = 1;
  for (size_t start = 0; start <= text.size(); ++number) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string problem = LineProblem(std::string_view(text).substr(start, end - start));
    if (!problem.empty()) return "line " + std::to_string(number) + ": " + problem;
    start = end + 1;
  }
  return "";
}

std::string ConfigFileProblem(const std::string& path) {
  if (path.empty()) return "an empty path";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return std::strerror(errno);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  if (static_cast<size_t>(st.st_size) > kMaxConfigFileBytes) {
    return "larger than " + std::to_string(kMaxConfigFileBytes) + " bytes";
  }
  std::string text(kMaxConfigFileBytes + 1, '\0');
  size_t used = 0;
  for (ssize_t n; used < text.size(); used += static_cast<size_t>(n)) {
    n = read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) {
      n = 0;
      continue;
    }
    if (n < 0) return std::strerror(errno);
    if (n == 0) break;
  }
  if (used > kMaxConfigFileBytes) return "larger than " + std::to_string(kMaxConfigFileBytes) + " bytes";
  text.resize(used);
  return ConfigTextProblem(text);
}

}  // namespace pping
