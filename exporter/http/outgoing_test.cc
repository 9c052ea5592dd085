// SPDX-License-Identifier: Apache-2.0
// A connection's outgoing bytes over a real socket pair: the head, pieces
// framed as chunks or as they are, the last chunk, pieces let go once
// sent, and a pool whose buffers come back.
#include "exporter/http/outgoing.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "exporter/util/unique_fd.h"

namespace pping {
namespace {

struct Pair {
  UniqueFd ours, theirs;
  Pair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    ours = UniqueFd(fds[0]);
    theirs = UniqueFd(fds[1]);
  }
  std::string Read() {
    std::string out;
    char buffer[65536];
    for (ssize_t n; (n = read(theirs.get(), buffer, sizeof(buffer))) > 0;) out.append(buffer, static_cast<size_t>(n));
    return out;
  }
};

Piece Text(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

TEST(Outgoing, ChunkedPiecesAsTheyComeThenTheLastChunk) {
  Pair pair;
  Outgoing out;
  out.Start("HEAD\r\n", true);
  EXPECT_EQ(out.SendTo(pair.ours.get()), Outgoing::Status::kAwaiting);
  out.Add(Text("hello"));
  out.Add(Text(std::string(20, 'x')));
  EXPECT_EQ(out.pinned(), 25u);
  EXPECT_EQ(out.SendTo(pair.ours.get()), Outgoing::Status::kAwaiting);
  EXPECT_EQ(out.pinned(), 0u) << "sent pieces are let go";
  out.Complete();
  EXPECT_EQ(out.SendTo(pair.ours.get()), Outgoing::Status::kDone);
  EXPECT_EQ(pair.Read(), "HEAD\r\n5\r\nhello\r\n14\r\n" + std::string(20, 'x') + "\r\n0\r\n\r\n");
}

TEST(Outgoing, UnchunkedPiecesAsTheyAre) {
  Pair pair;
  Outgoing out;
  out.Start("H:", false);
  out.Add(Text("ab"));
  out.Add(Text(""));  // nothing: an empty piece would end a chunked body
  out.Add(Text("cd"));
  out.Complete();
  EXPECT_EQ(out.SendTo(pair.ours.get()), Outgoing::Status::kDone);
  EXPECT_EQ(pair.Read(), "H:abcd");
}

// A socket that takes part of a piece: the rest follows, framed once.
TEST(Outgoing, ABlockedSocketResumesWhereItStopped) {
  Pair pair;
  const int small = 4096;
  setsockopt(pair.ours.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  Outgoing out;
  out.Start("H\r\n", true);
  std::string expected = "H\r\n";
  for (int i = 0; i < 40; ++i) {
    const std::string text(10'000 + i, static_cast<char>('a' + i % 26));
    out.Add(Text(text));
    char head[20];
    std::snprintf(head, sizeof(head), "%zx\r\n", text.size());
    expected += head + text + "\r\n";
  }
  out.Complete();
  expected += "0\r\n\r\n";
  std::string received;
  Outgoing::Status status;
  int blocked = 0;
  while ((status = out.SendTo(pair.ours.get())) == Outgoing::Status::kBlocked) {
    ++blocked;
    received += pair.Read();
  }
  EXPECT_EQ(status, Outgoing::Status::kDone);
  received += pair.Read();
  EXPECT_GT(blocked, 0);
  EXPECT_EQ(received, expected);
}

TEST(Outgoing, AGoneClientFails) {
  Pair pair;
  pair.theirs.reset();
  Outgoing out;
  out.Start("H", false);
  EXPECT_EQ(out.SendTo(pair.ours.get()), Outgoing::Status::kFailed);
}

TEST(PiecePool, BuffersComeBackUpToItsSize) {
  const auto pool = PiecePool::Create(2);
  {
    Piece a = pool->Make("a"), b = pool->Make("b"), c = pool->Make("c");
    EXPECT_EQ(*b, "b");
  }
  EXPECT_EQ(pool->free_buffers(), 2u);
  const Piece reused = pool->Make("again");
  EXPECT_EQ(*reused, "again");
  EXPECT_EQ(pool->free_buffers(), 1u);
}

TEST(PiecePool, PiecesMayOutliveThePool) {
  auto pool = PiecePool::Create(2);
  const Piece kept = pool->Make("kept");
  pool.reset();
  EXPECT_EQ(*kept, "kept");
}

}  // namespace
}  // namespace pping
