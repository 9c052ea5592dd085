// SPDX-License-Identifier: Apache-2.0
#include "exporter/config/duration.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace pping {
namespace {

using std::chrono::nanoseconds;

struct Unit {
  std::string_view name;
  int64_t ns;
};

// Longest names first where one is a prefix of another ("ms" before "m").
constexpr std::array<Unit, 9> kUnits{{{"ns", 1},
                                      {"us", 1'000},
                                      {"\xc2\xb5s", 1'000},  // µs
                                      {"ms", 1'000'000},
                                      {"s", 1'000'000'000},
                                      {"m", 60'000'000'000},
                                      {"h", 3'600'000'000'000},
                                      {"d", 86'400'000'000'000},
                                      {"", 0}}};

// Reads "<digits>[.<digits>]" from the front of `text`.
std::optional<double> TakeNumber(std::string_view& text) {
  size_t i = 0, digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  double value = 0;
  // Never throws: a number too large or too small to represent is an error.
  const auto [end, error] = std::from_chars(text.data(), text.data() + i, value);
  if (error != std::errc() || end != text.data() + i) return std::nullopt;
  text.remove_prefix(i);
  return value;
}

std::optional<int64_t> TakeUnit(std::string_view& text) {
  for (const Unit& unit : kUnits) {
    if (!unit.name.empty() && text.starts_with(unit.name)) {
      text.remove_prefix(unit.name.size());
      return unit.ns;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<nanoseconds> ParseDuration(std::string_view text) {
  if (text == "0") return nanoseconds(0);
  if (text.empty()) return std::nullopt;
  double total = 0;
  while (!text.empty()) {
    const std::optional<double> number = TakeNumber(text);
    if (!number) return std::nullopt;
    const std::optional<int64_t> unit = TakeUnit(text);
    if (!unit) return std::nullopt;
    total += *number * static_cast<double>(*unit);
  }
  if (!(total < static_cast<double>(std::numeric_limits<int64_t>::max()))) return std::nullopt;
  return nanoseconds(std::llround(total));
}

std::string FormatDuration(nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  // Whole days, hours and minutes as parts, then the rest as a decimal in
  // the largest unit it reaches: "1m30s", "8.4s", "1.5ms".
  std::string out;
  for (const size_t u : {7u, 6u, 5u}) {
    if (ns >= kUnits[u].ns) {
      out += std::to_string(ns / kUnits[u].ns) + std::string(kUnits[u].name);
      ns %= kUnits[u].ns;
    }
  }
  if (ns == 0) return out;
  size_t u = 0;
  for (const size_t bigger : {4u, 3u, 1u}) {
    if (ns >= kUnits[bigger].ns) {
      u = bigger;
      break;
    }
  }
  const int64_t size = kUnits[u].ns;
  out += std::to_string(ns / size);
  if (ns % size != 0) {
    std::string fraction = std::to_string(size + ns % size).substr(1);  // zero-padded
    while (fraction.back() == '0') fraction.pop_back();
    out += "." + fraction;
  }
  return out + std::string(kUnits[u].name);
}

}  // namespace pping
