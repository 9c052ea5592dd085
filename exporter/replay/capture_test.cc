// SPDX-License-Identifier: Apache-2.0
// Captures read back with their own times and lengths: pcap written by
// libpcap at either precision, pcapng, a file cut short, and not a capture.
#include "exporter/replay/capture.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "exporter/util/error.h"
#include "tests/support/pcap_writer.h"

namespace pping {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

struct Record {
  uint64_t time_ns;
  std::vector<uint8_t> data;
  uint32_t wire_len;
};

class CaptureTest : public ::testing::Test {
 protected:
  std::string Path(const char* name) const { return ::testing::TempDir() + "/" + name; }

  std::string WritePcap(const char* name, testing::PcapWriter::Precision precision,
                        const std::vector<Record>& records) {
    const std::string path = Path(name);
    testing::PcapWriter writer(path, DLT_EN10MB, 65535, precision);
    for (const Record& r : records) writer.Write(r.time_ns, r.data, r.wire_len);
    return path;
  }
};

std::vector<CapturedPacket> ReadAll(CaptureReader& reader, std::vector<std::vector<uint8_t>>* bytes = nullptr) {
  std::vector<CapturedPacket> packets;
  for (CapturedPacket p; reader.Next(p);) {
    if (bytes) bytes->emplace_back(p.data.begin(), p.data.end());
    packets.push_back(p);
  }
  return packets;
}

TEST_F(CaptureTest, NanosecondPcapKeepsEveryNanosecond) {
  const std::string path = WritePcap("nano.pcap", testing::PcapWriter::Precision::kNano,
                                     {{1'700'000'000 * kSecond + 123'456'789, std::vector<uint8_t>(60, 1), 60},
                                      {1'700'000'001 * kSecond + 1, std::vector<uint8_t>(128, 2), 1514}});
  CaptureReader reader(path);
  EXPECT_EQ(reader.link_type(), DLT_EN10MB);
  std::vector<std::vector<uint8_t>> bytes;
  const auto packets = ReadAll(reader, &bytes);
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].time_ns, 1'700'000'000 * kSecond + 123'456'789);
  EXPECT_EQ(packets[1].time_ns, 1'700'000'001 * kSecond + 1);
  EXPECT_EQ(packets[1].data.size(), 128u) << "what was captured";
  EXPECT_EQ(packets[1].wire_len, 1514u) << "what was on the wire";
  EXPECT_EQ(bytes[1], std::vector<uint8_t>(128, 2));
  EXPECT_EQ(reader.packets_read(), 2u);
}

TEST_F(CaptureTest, MicrosecondPcapIsScaled) {
  const std::string path = WritePcap("micro.pcap", testing::PcapWriter::Precision::kMicro,
                                     {{1'700'000'000 * kSecond + 999'999'123, std::vector<uint8_t>(60), 60}});
  CaptureReader reader(path);
  const auto packets = ReadAll(reader);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].time_ns, 1'700'000'000 * kSecond + 999'999'000) << "microseconds, scaled";
}

// pcapng blocks, little-endian, written out by hand (libpcap reads pcapng
// but does not write it).
class Pcapng {
 public:
  explicit Pcapng(uint8_t tsresol) {
    Block(0x0a0d0d0a, {0x1a2b3c4d, 0x00000001, 0xffffffff, 0xffffffff});  // section: version 1.0, length unknown
    // Interface: Ethernet, snap length 65535, if_tsresol (option 9).
    Block(0x00000001, {1, 65535, 0x00010009, tsresol, 0});
  }
  void Packet(uint64_t ticks, const std::vector<uint8_t>& data, uint32_t wire_len) {
    std::vector<uint32_t> body = {0, static_cast<uint32_t>(ticks >> 32), static_cast<uint32_t>(ticks),
                                  static_cast<uint32_t>(data.size()), wire_len};
    std::vector<uint8_t> padded = data;
    padded.resize((data.size() + 3) / 4 * 4);
    for (size_t i = 0; i < padded.size(); i += 4) {
      body.push_back(padded[i] | padded[i + 1] << 8 | padded[i + 2] << 16 | static_cast<uint32_t>(padded[i + 3]) << 24);
    }
    Block(0x00000006, body);
  }
  void Write(const std::string& path) const {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(words_.data()), words_.size() * 4);
  }

 private:
  void Block(uint32_t type, const std::vector<uint32_t>& body) {
    const uint32_t length = static_cast<uint32_t>(12 + body.size() * 4);
    words_.push_back(type);
    words_.push_back(length);
    words_.insert(words_.end(), body.begin(), body.end());
    words_.push_back(length);
  }
  std::vector<uint32_t> words_;
};

TEST_F(CaptureTest, PcapngAtEitherResolution) {
  Pcapng nano(9);
  nano.Packet(1'700'000'000 * kSecond + 7, std::vector<uint8_t>(61, 3), 1000);
  nano.Write(Path("nano.pcapng"));
  CaptureReader nano_reader(Path("nano.pcapng"));
  std::vector<std::vector<uint8_t>> bytes;
  auto packets = ReadAll(nano_reader, &bytes);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].time_ns, 1'700'000'000 * kSecond + 7);
  EXPECT_EQ(packets[0].wire_len, 1000u);
  EXPECT_EQ(bytes[0], std::vector<uint8_t>(61, 3));

  Pcapng micro(6);
  micro.Packet(1'700'000'000'000'001, std::vector<uint8_t>(60), 60);
  micro.Write(Path("micro.pcapng"));
  CaptureReader micro_reader(Path("micro.pcapng"));
  packets = ReadAll(micro_reader);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].time_ns, 1'700'000'000'000'001'000);
}

TEST_F(CaptureTest, TimesPastWhatNanosecondsHoldAreSkipped) {
  Pcapng seconds(0);  // if_tsresol 0: whole seconds, which pcapng lets reach 2^64
  seconds.Packet(1'700'000'000, std::vector<uint8_t>(60, 1), 60);
  seconds.Packet(uint64_t{1} << 40, std::vector<uint8_t>(60, 2), 60);
  seconds.Packet(1'700'000'001, std::vector<uint8_t>(60, 3), 60);
  seconds.Write(Path("far.pcapng"));
  CaptureReader reader(Path("far.pcapng"));
  std::vector<std::vector<uint8_t>> bytes;
  const auto packets = ReadAll(reader, &bytes);
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(bytes[1], std::vector<uint8_t>(60, 3));
  EXPECT_EQ(packets[1].number, 3u) << "its place in the file";
  EXPECT_EQ(reader.bad_times(), 1u);
}

TEST_F(CaptureTest, AMalformedRecordIsBadInput) {
  const std::string path =
      WritePcap("bad.pcap", testing::PcapWriter::Precision::kNano, {{kSecond, std::vector<uint8_t>(100), 100}});
  {
    std::ofstream append(path, std::ios::binary | std::ios::app);
    const uint32_t header[4] = {2, 0, 0x7fffffff, 0x7fffffff};  // a record of 2 GiB
    append.write(reinterpret_cast<const char*>(header), sizeof(header));
  }
  CaptureReader reader(path);
  CapturedPacket packet;
  EXPECT_TRUE(reader.Next(packet));
  EXPECT_THROW(reader.Next(packet), UsageError);
}

TEST_F(CaptureTest, ACaptureCutShortEndsAtItsLastWholePacket) {
  const std::string path =
      WritePcap("cut.pcap", testing::PcapWriter::Precision::kNano,
                {{kSecond, std::vector<uint8_t>(100), 100}, {2 * kSecond, std::vector<uint8_t>(100), 100}});
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 30);  // a writer killed mid-record
  CaptureReader reader(path);
  EXPECT_EQ(ReadAll(reader).size(), 1u);
}

TEST_F(CaptureTest, WhatIsNotACaptureIsBadInput) {
  std::ofstream(Path("text.pcap")) << "not a capture at all\n";
  EXPECT_THROW(CaptureReader(Path("text.pcap")), UsageError);
  EXPECT_THROW(CaptureReader(Path("missing.pcap")), UsageError);
}

}  // namespace
}  // namespace pping
