// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/scrape_timer.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "tests/support/http_get.h"

namespace pping::bench {
namespace {

constexpr std::string_view kRequest = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
constexpr std::string_view kGzipRequest =
    "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAccept-Encoding: gzip\r\n\r\n";
constexpr std::string_view kLastChunk = "\r\n0\r\n\r\n";  // the end of a chunked body
constexpr size_t kReadRoom = size_t{1} << 16;

// Whether the body came whole: a chunked one ends with its last chunk, any
// other has the length its Content-Length announced (older revisions sent
// one, and the benchmark also times those).
bool Complete(std::string_view response) {
  const size_t split = response.find("\r\n\r\n");
  if (split == std::string_view::npos) return false;
  const std::string_view headers = response.substr(0, split);
  constexpr std::string_view kLength = "\r\nContent-Length: ";
  const size_t at = headers.find(kLength);
  if (at == std::string_view::npos) return response.ends_with(kLastChunk);
  return std::strtoull(headers.data() + at + kLength.size(), nullptr, 10) == response.size() - split - 4;
}

}  // namespace

double ScrapeTimer::TimeOne() {
  const auto start = std::chrono::steady_clock::now();
  const UniqueFd connection = testing::ConnectLoopback(port_);
  if (!connection) return -1;
  const int fd = connection.get();
  const std::string_view request = gzip_ ? kGzipRequest : kRequest;
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) return -1;
  response_.clear();
  for (;;) {
    char* at = response_.Reserve(kReadRoom);
    const ssize_t n = read(fd, at, response_.capacity() - response_.size());
    if (n <= 0) break;
    response_.Commit(at + n);
  }
  const auto end = std::chrono::steady_clock::now();
  if (!Complete(last_response())) return -1;
  return std::chrono::duration<double, std::milli>(end - start).count();
}

}  // namespace pping::bench
