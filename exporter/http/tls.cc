// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/tls.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "exporter/util/error.h"

namespace pping {
namespace {

// A TLS record carries at most this much data.
constexpr size_t kRecordBytes = 16384;

std::string OpenSslReason() {
  const unsigned long error = ERR_get_error();
  ERR_clear_error();
  if (error == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(error, text, sizeof(text));
  return text;
}

[[noreturn]] void Refuse(const std::string& what) {
  throw UsageError("--web.config.file: " + what + ": " + OpenSslReason());
}

// Client certificates that are asked for but not checked pass whatever
// chain they show.
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

// The OpenSSL names of the TLS 1.2 suites named as IANA (and Go) name them.
std::string CipherList(SSL_CTX* ctx, const std::vector<std::string>& suites) {
  std::string list;
  STACK_OF(SSL_CIPHER)* known = SSL_CTX_get_ciphers(ctx);
  for (const std::string& suite : suites) {
    const SSL_CIPHER* found = nullptr;
    for (int i = 0; i < sk_SSL_CIPHER_num(known); ++i) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(known, i);
      const char* standard = SSL_CIPHER_standard_name(c);
      if (standard && suite == standard && std::strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") != 0) found = c;
    }
    if (!found) throw UsageError("--web.config.file: cipher_suites: '" + suite + "' is not a TLS 1.2 suite here");
    list += (list.empty() ? "" : ":") + std::string(SSL_CIPHER_get_name(found));
  }
  return list;
}

}  // namespace

TlsContext::TlsContext(const TlsServerConfig& config) : ctx_(SSL_CTX_new(TLS_server_method())) {
  SSL_CTX* ctx = ctx_.get();
  if (!ctx) Refuse("TLS");
  SSL_CTX_set_min_proto_version(ctx, config.min_version);
  if (config.max_version != 0) SSL_CTX_set_max_proto_version(ctx, config.max_version);
  // No renegotiation (a client could make the server redo handshakes at
  // will); the server's order of suites; buffers freed while idle.
  // A peer that closes without close_notify has closed (HTTP frames its
  // own messages), not failed.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(ctx, config.cert_file.c_str()) != 1) {
    Refuse("cert_file " + config.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    Refuse("key_file " + config.key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) Refuse("key_file " + config.key_file + " does not match cert_file");
  if (!config.cipher_suites.empty() &&
      SSL_CTX_set_cipher_list(ctx, CipherList(ctx, config.cipher_suites).c_str()) != 1) {
    Refuse("cipher_suites");
  }
  if (!config.curves.empty()) {
    std::string groups;
    for (const std::string& curve : config.curves) groups += (groups.empty() ? "" : ":") + curve;
    if (SSL_CTX_set1_groups_list(ctx, groups.c_str()) != 1) Refuse("curve_preferences");
  }
  if (!config.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, config.client_ca_file.c_str(), nullptr) != 1) {
      Refuse("client_ca_file " + config.client_ca_file);
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.client_ca_file.c_str());
    if (!names) Refuse("client_ca_file " + config.client_ca_file);
    SSL_CTX_set_client_CA_list(ctx, names);
  }
  switch (config.client_auth) {
    case ClientAuth::kNone: SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); break;
    case ClientAuth::kRequest: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, AcceptAnyCertificate); break;
    case ClientAuth::kRequireAny:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, AcceptAnyCertificate);
      break;
    case ClientAuth::kVerifyIfGiven: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr); break;
    case ClientAuth::kRequireAndVerify:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  // Resumed sessions must be told apart from other servers' when client
  // certificates are checked; OpenSSL refuses to resume without this.
  static constexpr unsigned char kSessionContext[] = "pping_exporter";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
}

TlsSession::TlsSession(const TlsContext& context, int fd) : ssl_(SSL_new(context.get())) {
  if (!ssl_ || SSL_set_fd(ssl_.get(), fd) != 1) throw Error("TLS: a session: " + OpenSslReason());
  SSL_set_accept_state(ssl_.get());
}

ssize_t TlsSession::Failed(int result) {
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ:
      wants_ = EPOLLIN;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      wants_ = EPOLLOUT;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN: return 0;  // close_notify
    case SSL_ERROR_SYSCALL:
      failure_ = errno != 0 ? std::strerror(errno) : "the connection ended";
      ERR_clear_error();
      errno = ECONNRESET;
      return -1;
    default:
      failure_ = OpenSslReason();
      protocol_error_ = true;
      errno = EPROTO;
      return -1;
  }
}

ssize_t TlsSession::Recv(char* buffer, size_t size) {
  wants_ = 0;
  ERR_clear_error();
  errno = 0;
  size_t read = 0;
  const int result = SSL_read_ex(ssl_.get(), buffer, size, &read);
  if (result == 1) return static_cast<ssize_t>(read);
  return Failed(result);
}

ssize_t TlsSession::Send(const iovec* parts, size_t count) {
  wants_ = 0;
  staged_.clear();
  for (size_t i = 0; i < count && staged_.size() < kRecordBytes; ++i) {
    const size_t take = std::min(parts[i].iov_len, kRecordBytes - staged_.size());
    staged_.append(static_cast<const char*>(parts[i].iov_base), take);
  }
  if (staged_.empty()) return 0;
  ERR_clear_error();
  errno = 0;
  size_t written = 0;
  const int result = SSL_write_ex(ssl_.get(), staged_.data(), staged_.size(), &written);
  if (result == 1) return static_cast<ssize_t>(written);
  const ssize_t failed = Failed(result);
  return failed == 0 ? (errno = EPIPE, -1) : failed;
}

void TlsSession::Close() {
  ERR_clear_error();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

}  // namespace pping
