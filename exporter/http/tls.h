// SPDX-License-Identifier: Apache-2.0
// TLS for the HTTP endpoint (OpenSSL): a server context built from the
// web config, and one session per connection over its non-blocking
// socket. The event loop drives every session; none blocks.
#pragma once

#include <openssl/ssl.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>

#include "exporter/http/outgoing.h"
#include "exporter/http/web_config.h"

namespace pping {

class TlsContext {
 public:
  // Loads the certificate, key and client CAs; throws UsageError naming
  // the file that cannot be used.
  explicit TlsContext(const TlsServerConfig& config);
  SSL_CTX* get() const { return ctx_.get(); }

 private:
  struct Free {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
  };
  std::unique_ptr<SSL_CTX, Free> ctx_;
};

// One connection's TLS session, the server side of it.
class TlsSession final : public ByteSink {
 public:
  TlsSession(const TlsContext& context, int fd);
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // As recv(2) and sendmsg(2) would: bytes, 0 when the peer closed
  // (recv), -1 with errno EAGAIN when the socket must become readable or
  // writable first (which one: wants()), another errno when the session
  // failed. Send writes as much of the parts as one record takes.
  ssize_t Recv(char* buffer, size_t size);
  ssize_t Send(const iovec* parts, size_t count) override;
  // Sends close_notify, without waiting for the peer's.
  void Close();
  // EPOLLIN or EPOLLOUT: what the last call that returned EAGAIN waits for.
  uint32_t wants() const { return wants_; }
  // Why the session failed, once it has, for the log; and whether it was
  // TLS itself that failed (a bad handshake or record), not the connection
  // (a reset).
  const std::string& failure() const { return failure_; }
  bool protocol_error() const { return protocol_error_; }
  // Bytes decrypted and held, which no epoll event announces.
  bool pending() const { return SSL_pending(ssl_.get()) > 0; }

 private:
  ssize_t Failed(int result);

  struct Free {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  std::unique_ptr<SSL, Free> ssl_;
  uint32_t wants_ = 0;
  std::string failure_;
  bool protocol_error_ = false;
  // What Send passes to SSL_write: the parts' bytes, up to one record,
  // copied so that a few small parts (chunk heads) make one record, not one
  // each. After a short write the same bytes come again from the caller.
  std::string staged_;
};

// Whether the first byte a client sent can start a TLS handshake: a plain
// HTTP request to a TLS port is told so instead of failing obscurely.
inline bool StartsTlsHandshake(unsigned char first_byte) { return first_byte == 0x16; }

}  // namespace pping
