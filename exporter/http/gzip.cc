// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/gzip.h"

#include <stdexcept>
#include <string>

namespace pping {
namespace {

// zlib's windowBits: a 32 KiB window, plus 16 for a gzip header and trailer.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;
// Output is taken from the compressor in steps of this size.
constexpr size_t kOutStep = 64 * 1024;

}  // namespace

GzipWriter::GzipWriter(int level) {
  if (deflateInit2(&stream_, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: cannot start a compressor");
  }
}

GzipWriter::~GzipWriter() { deflateEnd(&stream_); }

void GzipWriter::Write(std::string_view in, std::string& out) { Deflate(in, Z_NO_FLUSH, out); }

void GzipWriter::Finish(std::string& out) { Deflate({}, Z_FINISH, out); }

void GzipWriter::Deflate(std::string_view in, int flush, std::string& out) {
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream_.avail_in = static_cast<uInt>(in.size());
  for (;;) {
    const size_t before = out.size();
    out.resize(before + kOutStep);
    stream_.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    stream_.avail_out = static_cast<uInt>(kOutStep);
    const int result = deflate(&stream_, flush);
    out.resize(before + kOutStep - stream_.avail_out);
    if (result == Z_STREAM_END) return;
    if (result != Z_OK && result != Z_BUF_ERROR) throw std::runtime_error("gzip: compressor failed");
    // Done when all input is in and the compressor did not fill its output.
    if (stream_.avail_in == 0 && stream_.avail_out != 0 && flush != Z_FINISH) return;
  }
}

}  // namespace pping
