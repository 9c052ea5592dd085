// SPDX-License-Identifier: Apache-2.0
// A minimal HTTP/1.0 GET for tests: status, headers and body as strings.
#pragma once

#include <optional>
#include <string>

#include "exporter/util/unique_fd.h"

namespace pping::testing {

struct HttpResponse {
  int status = 0;
  std::string headers;  // raw header block, lower-cased names kept as sent
  std::string body;
  std::string Header(const std::string& name) const;  // case-insensitive, "" if absent
};

// A TCP socket connected to 127.0.0.1:port; invalid if nothing listens there.
UniqueFd ConnectLoopback(int port);

enum class HttpVersion { k1_0, k1_1 };

// Returns nullopt when nothing answers at 127.0.0.1:port, or (HTTP/1.1)
// when a chunked body is malformed or ends before its last chunk.
// `method`: GET, or HEAD (the response has no body); `headers`: more
// header lines, each ending in CRLF.
std::optional<HttpResponse> HttpGet(int port, const std::string& path, HttpVersion version = HttpVersion::k1_0,
                                    const std::string& method = "GET", const std::string& headers = "");

// The errno of the last read that failed in this thread's HttpGet (a
// reset connection: ECONNRESET), 0 if none did.
extern thread_local int last_read_error;

// Polls the exporter at 127.0.0.1:port until /-/ready answers 200 (it
// answers 503 until every interface is attached), for up to 10 s; returns
// whether it did.
bool WaitUntilReady(int port);

// Picks a TCP port on 127.0.0.1 that is free right now.
int FreeLocalPort();

}  // namespace pping::testing
