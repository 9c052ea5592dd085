// SPDX-License-Identifier: Apache-2.0
#include "tests/support/gunzip.h"

#include <zlib.h>

namespace pping::testing {

std::optional<std::string> Gunzip(const std::string& in) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return std::nullopt;
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  std::string out;
  int result = Z_OK;
  while (result == Z_OK) {
    char buffer[16384];
    s.next_out = reinterpret_cast<Bytef*>(buffer);
    s.avail_out = sizeof(buffer);
    result = inflate(&s, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - s.avail_out);
  }
  const bool whole = result == Z_STREAM_END && s.avail_in == 0;
  inflateEnd(&s);
  if (!whole) return std::nullopt;
  return out;
}

}  // namespace pping::testing
