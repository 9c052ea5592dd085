// SPDX-License-Identifier: Apache-2.0
// A gzip member written as its input arrives, so that compressing a body
// holds the compressor's window and one piece of output, never the body.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace pping {

class GzipWriter {
 public:
  // zlib's level: 1 (fastest) to 9 (smallest).
  explicit GzipWriter(int level);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  // Compresses `in`, appending what the compressor lets go of to `out`.
  void Write(std::string_view in, std::string& out);
  // Ends the member (the rest of the data, the CRC and the length).
  void Finish(std::string& out);

 private:
  void Deflate(std::string_view in, int flush, std::string& out);

  z_stream stream_{};
};

}  // namespace pping
