// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/gzip.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

namespace pping {
namespace {

// zlib's windowBits: a 32 KiB window, plus 16 for a gzip header and trailer.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;
// Output is taken from the compressor in steps of this size.
constexpr size_t kOutStep = 64 * 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The weight of one list member "coding;q=0.5": 1 without one, 0 when it
// cannot be read (a sender may not mean an unreadable weight as consent).
double Weight(std::string_view params) {
  while (!params.empty()) {
    const size_t semi = params.find(';');
    const std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() < 2 || std::tolower(static_cast<unsigned char>(param[0])) != 'q' || param[1] != '=') continue;
    const std::string value(Trim(param.substr(2)));
    if (value.empty() || value.size() > 5 || value.find_first_not_of("0123456789.") != std::string::npos) return 0;
    try {
      return std::stod(value);
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 1;
}

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

bool AcceptsGzip(std::string_view accept_encoding) {
  double gzip = -1, any = -1;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    const std::string_view member = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const size_t semi = member.find(';');
    const std::string_view coding = Trim(member.substr(0, semi));
    const double weight = semi == std::string_view::npos ? 1 : Weight(member.substr(semi + 1));
    if (EqualsIgnoringCase(coding, "gzip") || EqualsIgnoringCase(coding, "x-gzip")) {
      gzip = std::max(gzip, weight);
    } else if (coding == "*") {
      any = std::max(any, weight);
    }
  }
  return gzip >= 0 ? gzip > 0 : any > 0;
}

}  // namespace pping
