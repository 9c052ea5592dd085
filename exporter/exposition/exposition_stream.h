// SPDX-License-Identifier: Apache-2.0
// Exposition text on its way to the client in pieces. Sources append whole
// lines to text() and call Yield() where what they wrote so far may leave;
// a piece goes out once it is at least piece_bytes long. Sending while the
// rest is still being written overlaps the two, and the buffer holds a
// piece instead of the whole body.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "exporter/exposition/text_buffer.h"

namespace pping {

class ExpositionStream {
 public:
  // Sends one piece; false once the client is gone (nothing more is sent).
  using Send = std::function<bool(std::string_view piece)>;
  static constexpr size_t kPieceBytes = size_t{1} << 20;

  // `text` is the caller's, so its memory outlives the scrape.
  ExpositionStream(TextBuffer& text, Send send, size_t piece_bytes = kPieceBytes)
      : text_(text), send_(std::move(send)), piece_bytes_(piece_bytes) {
    text_.clear();
  }

  TextBuffer& text() { return text_; }
  // A point between whole lines (and outside any lock): sends a full piece.
  void Yield() {
    if (text_.size() >= piece_bytes_) Flush();
  }
  // Sends whatever is waiting: the end of the body.
  void Flush() {
    if (text_.size() > 0 && !client_gone_) client_gone_ = !send_(text_.view());
    if (client_gone_) unsent_bytes_ += text_.size();
    text_.clear();
  }
  // Once the client is gone, writers stop early: the rest would be dropped.
  bool client_gone() const { return client_gone_; }
  // Text written that never reached the client (refused, or written after).
  size_t unsent_bytes() const { return unsent_bytes_; }

 private:
  TextBuffer& text_;
  Send send_;
  size_t piece_bytes_;
  bool client_gone_ = false;
  size_t unsent_bytes_ = 0;
};

}  // namespace pping
