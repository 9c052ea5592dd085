// SPDX-License-Identifier: Apache-2.0
// The framing of a JSON array written one element at a time: "[", elements
// separated by ",", "]". Shared by the event and the aggregate formats.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pping {

class JsonArrayFraming {
 public:
  std::string Begin() {
    empty_ = true;
    return "[";
  }
  std::string Element(const nlohmann::ordered_json& value) {
    const std::string separator = empty_ ? "\n" : ",\n";
    empty_ = false;
    return separator + value.dump(2);
  }
  std::string End() const { return empty_ ? "]\n" : "\n]\n"; }

 private:
  bool empty_ = true;
};

}  // namespace pping
