// SPDX-License-Identifier: Apache-2.0
// What one connection has yet to send: a response head, then the pieces
// of its body as they come (framed as chunks, or not), then the last
// chunk. Pieces are shared, immutable and freed once every connection
// sending them has sent them, so a scrape holds what its client has not
// taken yet, not a whole body.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pping {

using Piece = std::shared_ptr<const std::string>;

// Buffers handed back for the renderer to fill again: a scrape's pieces
// cycle through a few buffers instead of faulting in fresh pages.
class PiecePool : public std::enable_shared_from_this<PiecePool> {
 public:
  // Keeps at most `keep` free buffers.
  static std::shared_ptr<PiecePool> Create(size_t keep);
  // A piece holding `text`, in a buffer from the pool where there is one.
  Piece Make(std::string_view text);
  size_t free_buffers() const;

 private:
  explicit PiecePool(size_t keep) : keep_(keep) {}
  void Return(std::string* buffer);

  const size_t keep_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<std::string>> free_;
};

// Where a response's bytes go: a socket, or a TLS session over one.
// Send returns as sendmsg(2) would: bytes taken (maybe fewer than
// offered), or -1 with errno (EAGAIN: not now).
class ByteSink {
 public:
  virtual ssize_t Send(const iovec* parts, size_t count) = 0;

 protected:
  ~ByteSink() = default;
};

class Outgoing {
 public:
  enum class Status {
    kDone,      // everything was sent
    kBlocked,   // the socket takes no more now
    kAwaiting,  // all there is was sent; more pieces are to come
    kFailed,    // the client is gone
  };

  // A new response: `head` first, then pieces; chunked or as they are.
  void Start(std::string head, bool chunked);
  void Add(Piece piece);
  // No piece follows.
  void Complete() { complete_ = true; }
  // Sends what there is until done, blocked or out of pieces: to the
  // socket `fd`, or to `sink`.
  Status SendTo(int fd);
  Status SendTo(ByteSink& sink);
  // Bytes of the pieces still held.
  size_t pinned() const { return pinned_; }
  // Bytes sent since Start(), to tell progress.
  uint64_t total_sent() const { return total_sent_; }
  void Clear();

 private:
  size_t Framed(const std::string& piece) const;

  std::string head_;
  std::deque<Piece> pieces_;
  bool chunked_ = false;
  bool complete_ = false;
  size_t sent_ = 0;  // of the head and pieces still held, framed
  size_t pinned_ = 0;
  uint64_t total_sent_ = 0;
};

}  // namespace pping
