// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/request.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

namespace pping {
namespace {

constexpr size_t kMaxHeaders = 100;

ParsedRequest Bad(int status) {
  ParsedRequest out;
  out.status = ParsedRequest::Status::kBad;
  out.error = status;
  return out;
}

// RFC 9110 5.6.2: token characters.
bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The next line of `in` from `pos` without its CRLF (or bare LF, which
// RFC 9112 2.2 lets a recipient accept); npos when it has not ended yet.
size_t LineEnd(std::string_view in, size_t pos, std::string_view& line) {
  const size_t lf = in.find('\n', pos);
  if (lf == std::string_view::npos) return lf;
  line = in.substr(pos, lf - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return lf + 1;
}

bool HasToken(std::string_view list, std::string_view token) {
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    if (Lower(Trim(list.substr(start, comma - start))) == token) return true;
    start = comma + 1;
  }
  return false;
}

// The weight of one list member's parameters, ";q=0.5": 1 without one, 0
// when it cannot be read (a sender may not mean an unreadable weight as
// consent).
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

// Parses "METHOD SP target SP HTTP/1.x" into `out`; the error status if
// it is not one.
int ParseRequestLine(std::string_view line, HttpRequest& out) {
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return 400;
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return 400;  // HTTP/0.9: no version
  const std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method) || method.size() > 16) return 400;
  if (version.size() != 8 || !version.starts_with("HTTP/")) return 400;
  if (version == "HTTP/1.1" || version == "HTTP/1.0") {
    out.minor_version = version.back() - '0';
  } else {
    return 505;
  }
  for (const char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return 400;
  }
  // Absolute form (RFC 9112 3.2.2), which a server must accept: the path.
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (target.starts_with(scheme)) {
      const size_t slash = target.find('/', scheme.size());
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
  }
  if (target.empty() || target.front() != '/') return 400;
  out.method = method;
  out.path = target.substr(0, target.find('?'));
  return 0;
}

}  // namespace

ParsedRequest ParseRequest(std::string_view in, size_t max_head_bytes) {
  ParsedRequest out;
  size_t pos = 0;
  // RFC 9112 2.2: empty lines before a request line may be ignored.
  while (pos < in.size() && (in[pos] == '\r' || in[pos] == '\n') && pos < max_head_bytes) ++pos;
  std::string_view line;
  size_t next = LineEnd(in, pos, line);
  if (next == std::string_view::npos) return in.size() > max_head_bytes ? Bad(431) : out;
  if (next > max_head_bytes) return Bad(431);
  if (const int error = ParseRequestLine(line, out.request); error != 0) return Bad(error);
  HttpRequest& request = out.request;
  bool close = false, keep_alive = false, host = false;
  for (size_t headers = 0;; ++headers) {
    pos = next;
    next = LineEnd(in, pos, line);
    if (next == std::string_view::npos) return in.size() > max_head_bytes ? Bad(431) : out;
    if (next > max_head_bytes || headers > kMaxHeaders) return Bad(431);
    if (line.empty()) break;
    // Folded lines (obs-fold) and names with space before the colon are
    // what request smuggling is made of (RFC 9112 5.1, 5.2).
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) return Bad(400);
    const std::string name = Lower(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    // RFC 9110 5.5: no control characters (a NUL, a bare CR) in a value.
    for (const char c : value) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return Bad(400);
    }
    if (name == "connection") {
      close = close || HasToken(value, "close");
      keep_alive = keep_alive || HasToken(value, "keep-alive");
    } else if (name == "host") {
      if (host) return Bad(400);
      host = true;
    } else if (name == "accept-encoding") {
      request.accept_encoding = value;
    } else if (name == "authorization") {
      request.authorization = value;
    } else if (name == "transfer-encoding") {
      return Bad(501);  // no request here has a body
    } else if (name == "content-length" && value != "0") {
      return Bad(413);
    }
  }
  if (request.minor_version == 1 && !host) return Bad(400);  // RFC 9112 3.2
  request.keep_alive = request.minor_version == 1 ? !close : keep_alive && !close;
  out.status = ParsedRequest::Status::kComplete;
  out.consumed = next;
  return out;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  double gzip = -1, any = -1;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    const std::string_view member = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const size_t semi = member.find(';');
    const std::string coding = Lower(Trim(member.substr(0, semi)));
    const double weight = semi == std::string_view::npos ? 1 : Weight(member.substr(semi + 1));
    if (coding == "gzip" || coding == "x-gzip") {
      gzip = std::max(gzip, weight);
    } else if (coding == "*") {
      any = std::max(any, weight);
    }
  }
  return gzip >= 0 ? gzip > 0 : any > 0;
}

}  // namespace pping
