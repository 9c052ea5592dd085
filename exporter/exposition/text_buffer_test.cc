// SPDX-License-Identifier: Apache-2.0
#include "exporter/exposition/text_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace pping {
namespace {

TEST(TextBuffer, GrowsKeepingWhatWasWritten) {
  TextBuffer text;
  std::string expected;
  for (int i = 0; i < 10000; ++i) {
    const std::string piece = std::to_string(i) + ",";
    text += piece;
    expected += piece;
  }
  text.push_back('!');
  EXPECT_EQ(text.view(), expected + "!");
}

TEST(TextBuffer, ReserveThenCommitWritesInPlace) {
  TextBuffer text;
  text += "a";
  char* at = text.Reserve(100);
  EXPECT_GE(text.capacity(), text.size() + 100);
  at[0] = 'b';
  at[1] = 'c';
  text.Commit(at + 2);
  EXPECT_EQ(text.view(), "abc");
}

TEST(TextBuffer, ClearKeepsTheMemoryForTheNextScrape) {
  TextBuffer text;
  text += std::string(1 << 20, 'x');
  const char* memory = text.data();
  text.clear();
  EXPECT_EQ(text.size(), 0u);
  text += std::string(1 << 19, 'y');
  EXPECT_EQ(text.data(), memory);
  EXPECT_EQ(text.view(), std::string(1 << 19, 'y'));
}

}  // namespace
}  // namespace pping
