// SPDX-License-Identifier: Apache-2.0
// The exposition's text buffer. Unlike std::string, growing it leaves the
// new bytes unwritten (std::string zero-fills them: a second pass over a
// big scrape's body), and clear() keeps the memory for the next
// scrape, so a steady scraper does not page-fault a fresh buffer each time.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>

namespace pping {

class TextBuffer {
 public:
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  const char* data() const { return data_.get(); }
  std::string_view view() const { return {data_.get(), size_}; }

  void reserve(size_t capacity) {
    if (capacity <= capacity_) return;
    std::unique_ptr<char[]> grown(new char[capacity]);  // not zeroed
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = capacity;
  }

  // Room for at least `n` more bytes at the returned pointer; write up to
  // `n` bytes there, then Commit() the end of what was written.
  char* Reserve(size_t n) {
    if (size_ + n > capacity_) reserve(std::max(capacity_ * 2, size_ + n));
    return data_.get() + size_;
  }
  void Commit(const char* end) { size_ = static_cast<size_t>(end - data_.get()); }

  TextBuffer& append(std::string_view text) {
    char* at = Reserve(text.size());
    std::memcpy(at, text.data(), text.size());
    size_ += text.size();
    return *this;
  }
  TextBuffer& operator+=(std::string_view text) { return append(text); }
  void push_back(char c) { *Reserve(1) = c, ++size_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace pping
