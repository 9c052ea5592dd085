// SPDX-License-Identifier: Apache-2.0
#include "tests/bench/scrape_timer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace pping::bench {
namespace {

constexpr std::string_view kRequest = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
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

void ScrapeTimer::Grow() {
  const size_t capacity = capacity_ ? 2 * capacity_ : size_t{1} << 20;
  std::unique_ptr<char[]> grown(new char[capacity]);  // not zeroed
  if (used_ > 0) std::memcpy(grown.get(), buffer_.get(), used_);
  buffer_ = std::move(grown);
  capacity_ = capacity;
}

double ScrapeTimer::TimeOne() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto start = std::chrono::steady_clock::now();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      write(fd, kRequest.data(), kRequest.size()) != static_cast<ssize_t>(kRequest.size())) {
    close(fd);
    return -1;
  }
  used_ = 0;
  for (;;) {
    if (capacity_ - used_ < kReadRoom) Grow();
    const ssize_t n = read(fd, buffer_.get() + used_, capacity_ - used_);
    if (n <= 0) break;
    used_ += static_cast<size_t>(n);
  }
  const auto end = std::chrono::steady_clock::now();
  close(fd);
  if (!Complete(last_response())) return -1;
  return std::chrono::duration<double, std::milli>(end - start).count();
}

}  // namespace pping::bench
