// SPDX-License-Identifier: Apache-2.0
// One HTTP/1.x request head, parsed from the bytes a connection has sent
// so far. Strict where leniency would let one message be read two ways
// (folded headers, bodies, other versions) and bounded in size, since any
// client may be hostile.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pping {

struct HttpRequest {
  std::string method;  // as sent: methods are case-sensitive
  std::string path;    // the target's path, without the query
  int minor_version = 0;
  bool keep_alive = false;  // the client allows another request on this connection
  std::string accept_encoding;
  std::string authorization;
};

struct ParsedRequest {
  enum class Status { kIncomplete, kComplete, kBad };
  Status status = Status::kIncomplete;
  int error = 0;        // kBad: the status code to answer with, then close
  size_t consumed = 0;  // kComplete: bytes of `in` the head took
  HttpRequest request;
};

// `in` holds what the client sent; a head longer than `max_head_bytes`
// is bad (431) even before it ends. A request line without a version
// (HTTP/0.9) is bad as soon as it ends, so it holds nothing.
ParsedRequest ParseRequest(std::string_view in, size_t max_head_bytes);

// Whether an Accept-Encoding value (RFC 9110 12.5.3) takes gzip: named,
// or matched by "*", with a weight above zero.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace pping
