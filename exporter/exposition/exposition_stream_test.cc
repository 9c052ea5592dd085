// SPDX-License-Identifier: Apache-2.0
#include "exporter/exposition/exposition_stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "exporter/exposition/exposition_source.h"

namespace pping {
namespace {

struct Recorder {
  std::vector<std::string> pieces;
  bool accept = true;
  ExpositionStream::Send AsSend() {
    return [this](std::string_view piece) {
      pieces.emplace_back(piece);
      return accept;
    };
  }
};

TEST(ExpositionStream, SendsOnlyAtYieldPointsOnceAPieceIsFull) {
  TextBuffer text;
  Recorder client;
  ExpositionStream stream(text, client.AsSend(), 10);
  stream.text() += "line one\n";  // 9 bytes: short of a piece
  stream.Yield();
  EXPECT_TRUE(client.pieces.empty());
  stream.text() += "line two\n";
  EXPECT_TRUE(client.pieces.empty()) << "appending alone never sends";
  stream.Yield();
  ASSERT_EQ(client.pieces.size(), 1u);
  EXPECT_EQ(client.pieces[0], "line one\nline two\n");
  EXPECT_EQ(text.size(), 0u);
}

TEST(ExpositionStream, FlushSendsTheRestAndNothingWhenEmpty) {
  TextBuffer text;
  Recorder client;
  ExpositionStream stream(text, client.AsSend(), 1 << 20);
  stream.text() += "tail\n";
  stream.Flush();
  stream.Flush();
  ASSERT_EQ(client.pieces.size(), 1u);
  EXPECT_EQ(client.pieces[0], "tail\n");
}

TEST(ExpositionStream, PiecesJoinToTheWholeText) {
  TextBuffer text;
  Recorder client;
  ExpositionStream stream(text, client.AsSend(), 64);
  std::string whole;
  for (int i = 0; i < 1000; ++i) {
    const std::string line = "sample_" + std::to_string(i) + " " + std::to_string(i * 7) + "\n";
    stream.text() += line;
    whole += line;
    stream.Yield();
  }
  stream.Flush();
  std::string joined;
  for (const auto& piece : client.pieces) joined += piece;
  EXPECT_EQ(joined, whole);
  EXPECT_GT(client.pieces.size(), 100u);
}

TEST(ExpositionStream, StopsSendingOnceTheClientIsGone) {
  TextBuffer text;
  Recorder client;
  client.accept = false;
  ExpositionStream stream(text, client.AsSend(), 4);
  stream.text() += "first\n";
  stream.Yield();
  stream.text() += "second\n";
  stream.Yield();
  stream.Flush();
  EXPECT_EQ(client.pieces.size(), 1u);
  EXPECT_TRUE(stream.client_gone());
  EXPECT_EQ(text.size(), 0u) << "the text is still dropped, so the buffer does not grow";
  EXPECT_EQ(stream.unsent_bytes(), std::string("first\nsecond\n").size());
}

TEST(ExpositionStream, StartsFromAnEmptyBufferThatKeepsItsMemory) {
  TextBuffer text;
  text += "left from the last scrape";
  Recorder client;
  ExpositionStream stream(text, client.AsSend());
  stream.text() += "new\n";
  stream.Flush();
  ASSERT_EQ(client.pieces.size(), 1u);
  EXPECT_EQ(client.pieces[0], "new\n");
}

// Writes one line per scrape and counts the scrapes it was asked for.
struct CountingSource : ExpositionSource {
  void AppendExposition(ExpositionStream& out) override {
    ++asked;
    out.text() += "a_metric 1\n";
  }
  int asked = 0;
};

TEST(RenderExposition, AsksNoSourceOnceTheClientIsGone) {
  auto first = std::make_shared<CountingSource>(), second = std::make_shared<CountingSource>();
  const std::vector<std::weak_ptr<ExpositionSource>> sources{first, second};
  TextBuffer text;
  Recorder client;
  client.accept = false;
  ExpositionStream stream(text, client.AsSend(), 1);  // every line leaves at once
  RenderExposition(sources, stream);
  EXPECT_EQ(first->asked, 1);
  EXPECT_EQ(second->asked, 0) << "written for a client that had gone";
}

}  // namespace
}  // namespace pping
