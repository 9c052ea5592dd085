// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/outgoing.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdio>

namespace pping {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";
// Pieces framed per sendmsg at most (three parts each, with chunks).
constexpr size_t kPiecesPerSend = 16;

size_t ChunkHead(size_t size, char (&out)[20]) {
  return static_cast<size_t>(std::snprintf(out, sizeof(out), "%zx\r\n", size));
}

}  // namespace

std::shared_ptr<PiecePool> PiecePool::Create(size_t keep) { return std::shared_ptr<PiecePool>(new PiecePool(keep)); }

Piece PiecePool::Make(std::string_view text) {
  std::unique_ptr<std::string> buffer;
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      buffer = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!buffer) buffer = std::make_unique<std::string>();
  buffer->assign(text);
  // The pool may be gone by the time the last sender lets go.
  return Piece(buffer.release(), [pool = weak_from_this()](const std::string* piece) {
    auto* owned = const_cast<std::string*>(piece);
    if (const auto alive = pool.lock()) return alive->Return(owned);
    delete owned;
  });
}

void PiecePool::Return(std::string* buffer) {
  std::unique_ptr<std::string> owned(buffer);
  std::lock_guard lock(mu_);
  if (free_.size() < keep_) free_.push_back(std::move(owned));
}

size_t PiecePool::free_buffers() const {
  std::lock_guard lock(mu_);
  return free_.size();
}

void Outgoing::Start(std::string head, bool chunked) {
  Clear();
  total_sent_ = 0;
  head_ = std::move(head);
  chunked_ = chunked;
}

void Outgoing::Add(Piece piece) {
  if (!piece || piece->empty()) return;  // an empty chunk would end the body
  pinned_ += piece->size();
  pieces_.push_back(std::move(piece));
}

void Outgoing::Clear() {
  head_.clear();
  pieces_.clear();
  chunked_ = complete_ = false;
  sent_ = pinned_ = 0;
}

size_t Outgoing::Framed(const std::string& piece) const {
  if (!chunked_) return piece.size();
  char head[20];
  return ChunkHead(piece.size(), head) + piece.size() + kCrlf.size();
}

namespace {

class SocketSink final : public ByteSink {
 public:
  explicit SocketSink(int fd) : fd_(fd) {}
  ssize_t Send(const iovec* parts, size_t count) override {
    msghdr message{};
    message.msg_iov = const_cast<iovec*>(parts);
    message.msg_iovlen = count;
    return sendmsg(fd_, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
  }

 private:
  int fd_;
};

}  // namespace

Outgoing::Status Outgoing::SendTo(int fd) {
  SocketSink sink(fd);
  return SendTo(sink);
}

Outgoing::Status Outgoing::SendTo(ByteSink& sink) {
  for (;;) {
    iovec parts[1 + 3 * kPiecesPerSend + 1];
    char chunk_heads[kPiecesPerSend][20];
    size_t count = 0;
    size_t skip = sent_;
    const auto add = [&](const char* data, size_t size) {
      if (skip >= size) {
        skip -= size;
        return;
      }
      parts[count++] = {const_cast<char*>(data) + skip, size - skip};
      skip = 0;
    };
    add(head_.data(), head_.size());
    size_t framed = 0;
    for (; framed < pieces_.size() && framed < kPiecesPerSend; ++framed) {
      const std::string& piece = *pieces_[framed];
      if (chunked_) add(chunk_heads[framed], ChunkHead(piece.size(), chunk_heads[framed]));
      add(piece.data(), piece.size());
      if (chunked_) add(kCrlf.data(), kCrlf.size());
    }
    const bool all_framed = framed == pieces_.size();
    if (complete_ && all_framed && chunked_) add(kLastChunk.data(), kLastChunk.size());
    if (count == 0) {
      if (!complete_) return Status::kAwaiting;
      Clear();
      return Status::kDone;
    }
    const ssize_t n = sink.Send(parts, count);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return Status::kBlocked;
    if (n <= 0) return Status::kFailed;
    sent_ += static_cast<size_t>(n);
    total_sent_ += static_cast<uint64_t>(n);
    // Let go of what went out, the head first, then whole pieces.
    if (!head_.empty() && sent_ >= head_.size()) {
      sent_ -= head_.size();
      head_.clear();
      head_.shrink_to_fit();
    }
    while (head_.empty() && !pieces_.empty() && sent_ >= Framed(*pieces_.front())) {
      sent_ -= Framed(*pieces_.front());
      pinned_ -= pieces_.front()->size();
      pieces_.pop_front();
    }
  }
}

}  // namespace pping
