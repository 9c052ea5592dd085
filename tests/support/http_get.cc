// SPDX-License-Identifier: Apache-2.0
#include "tests/support/http_get.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

namespace pping::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Value of header `name` (case-insensitive) in a raw header block, "" if absent.
std::string HeaderValue(const std::string& headers, const std::string& name) {
  const std::string lowered = Lower(headers);
  const std::string needle = "\r\n" + Lower(name) + ":";
  const size_t at = lowered.find(needle);
  if (at == std::string::npos) return "";
  size_t start = at + needle.size();
  while (start < headers.size() && headers[start] == ' ') ++start;
  return headers.substr(start, headers.find("\r\n", start) - start);
}

// Once the first `used` bytes of `raw` hold the headers, grows `raw` to
// the whole response; true once done (or if there is no Content-Length).
bool SizeFromContentLength(std::string& raw, size_t used) {
  const size_t end = std::string_view(raw.data(), used).find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  const std::string length = HeaderValue(raw.substr(0, end + 2), "Content-Length");
  if (length.empty()) return true;
  raw.resize(std::max<size_t>(raw.size(), end + 4 + std::strtoull(length.c_str(), nullptr, 10) + 65536));
  return true;
}

// Decodes a chunked body in place; false if it is malformed or cut short.
bool Dechunk(std::string& body) {
  std::string out;
  size_t at = 0;
  for (;;) {
    const size_t line_end = body.find("\r\n", at);
    if (line_end == std::string::npos) return false;
    char* end = nullptr;
    const unsigned long long size = std::strtoull(body.c_str() + at, &end, 16);
    if (end == body.c_str() + at) return false;
    at = line_end + 2;
    if (size == 0) break;
    if (body.size() < at + size + 2 || body.compare(at + size, 2, "\r\n") != 0) return false;
    out.append(body, at, size);
    at += size + 2;
  }
  body = std::move(out);
  return true;
}

}  // namespace

thread_local int last_read_error = 0;

std::string HttpResponse::Header(const std::string& name) const { return HeaderValue(headers, name); }

UniqueFd ConnectLoopback(int port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_in addr = Loopback(port);
  if (!fd || connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) return UniqueFd();
  return fd;
}

std::optional<HttpResponse> HttpGet(int port, const std::string& path, HttpVersion version, const std::string& method,
                                    const std::string& headers) {
  const UniqueFd connection = ConnectLoopback(port);
  if (!connection) return std::nullopt;
  const int fd = connection.get();
  const std::string request =
      version == HttpVersion::k1_0
          ? method + " " + path + " HTTP/1.0\r\nHost: localhost\r\n" + headers + "\r\n"
          : method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + headers + "\r\n";
  (void)!write(fd, request.data(), request.size());
  // Read straight into the response text (large scrapes are tens of MB),
  // sized from Content-Length once the headers are in, as scrapers do.
  std::string raw;
  size_t used = 0;
  bool sized = false;
  for (ssize_t n = 1; n > 0; used += static_cast<size_t>(n)) {
    if (!sized) sized = SizeFromContentLength(raw, used);
    if (raw.size() - used < 65536) raw.resize(std::max<size_t>(2 * raw.size(), 1 << 20));
    do {
      n = read(fd, raw.data() + used, raw.size() - used);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      last_read_error = errno;
      n = 0;
    }
  }
  raw.resize(used);
  const size_t split = raw.find("\r\n\r\n");
  if (raw.size() < 12 || split == std::string::npos) return std::nullopt;
  HttpResponse response;
  response.status = std::stoi(raw.substr(9, 3));
  response.headers = raw.substr(0, split + 2);
  raw.erase(0, split + 4);
  response.body = std::move(raw);
  if (Lower(response.Header("Transfer-Encoding")) == "chunked" && !Dechunk(response.body)) return std::nullopt;
  return response;
}

bool WaitUntilReady(int port) {
  for (int i = 0; i < 100; ++i) {
    const auto response = HttpGet(port, "/-/ready");
    if (response && response->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int FreeLocalPort() {
  const UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof(addr);
  bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

}  // namespace pping::testing
