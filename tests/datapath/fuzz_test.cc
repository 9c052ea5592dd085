// SPDX-License-Identifier: Apache-2.0
// Mutated frames through the real programs (tc ingress and egress, XDP,
// and the IP-only entry points) with BPF_PROG_TEST_RUN, from a stored
// seed corpus of the shapes parsers get wrong: truncated headers, bad IHL
// and data offsets, TCP option lengths 0, 1 and overrunning, timestamps at
// odd offsets, IPv6 extension chains, stacked VLANs, ICMP errors quoting
// inner headers, DNS and QUIC. The programs must pass every frame on, and:
//  - arriving frames alone never give an RTT: no stamp can exist without
//    a frame of our own side;
//  - every frame the kernel took is counted once, as IP (by protocol),
//    non-IP or truncated; ECN counts add up to the IP packets.
// PPING_FUZZ_PACKETS sets the number of frames (the CI run is short; the
// long run is in docs/testing.md), PPING_FUZZ_SEED the generator's seed.
// PPING_WRITE_FUZZ_CORPUS=1 with `bazel run` rewrites the corpus.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/datapath/datapath_fixture.h"

namespace pping::testing {
namespace {

constexpr const char* kCorpusDir = "tests/datapath/fuzz_corpus";

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text ? std::strtoull(text, nullptr, 10) : fallback;
}

// --- The seeds -------------------------------------------------------------

Frame InsertAt(Frame frame, size_t at, const std::vector<uint8_t>& bytes) {
  frame.insert(frame.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin(), bytes.end());
  return frame;
}

// Tags after the MAC addresses: `tpids` outermost first.
Frame WithVlans(const Frame& frame, const std::vector<uint16_t>& tpids) {
  Frame out = frame;
  for (auto it = tpids.rbegin(); it != tpids.rend(); ++it) {
    out = InsertAt(out, 12, {static_cast<uint8_t>(*it >> 8), static_cast<uint8_t>(*it), 0x00, 0x2a});
  }
  return out;
}

// IPv6 extension headers of 8 bytes each between the fixed header and the
// transport header (next-header values in order).
Frame WithIpv6Extensions(const Frame& frame, const std::vector<uint8_t>& types) {
  Frame out = frame;
  const uint8_t transport = out[14 + 6];
  out[14 + 6] = types.front();
  std::vector<uint8_t> chain;
  for (size_t i = 0; i < types.size(); ++i) {
    const uint8_t next = i + 1 < types.size() ? types[i + 1] : transport;
    std::vector<uint8_t> ext(8, 0);
    ext[0] = next;
    if (types[i] == 44) ext[3] = 1;  // a fragment: offset 0, more fragments
    chain.insert(chain.end(), ext.begin(), ext.end());
  }
  out = InsertAt(out, 14 + 40, chain);
  const uint16_t payload = static_cast<uint16_t>((out[14 + 4] << 8 | out[14 + 5]) + chain.size());
  out[14 + 4] = static_cast<uint8_t>(payload >> 8);
  out[14 + 5] = static_cast<uint8_t>(payload);
  return out;
}

// An ICMP error (destination unreachable) quoting the IP and transport
// headers of `quoted`, from the remote.
Frame IcmpError(const Frame& quoted, bool v6) {
  const Frame echo = BuildEcho(v6 ? kRemote6 : kRemote4, v6 ? kLocal6 : kLocal4, false, 1, 1);
  const size_t ip = v6 ? 40 : 20;
  Frame out(echo.begin(), echo.begin() + 14 + static_cast<std::ptrdiff_t>(ip) + 8);
  out[14 + ip] = v6 ? 1 : 3;  // type: unreachable
  out[14 + ip + 1] = 3;       // code: port unreachable
  out.insert(out.end(), quoted.begin() + 14, quoted.begin() + 14 + static_cast<std::ptrdiff_t>(ip) + 40);
  return out;
}

std::vector<std::pair<std::string, Frame>> Seeds() {
  const auto tcp = [](bool v6, bool out, std::vector<uint8_t> options = {}, size_t payload = 100) {
    TcpSegment s{v6 ? (out ? kLocal6 : kRemote6) : (out ? kLocal4 : kRemote4),
                 v6 ? (out ? kRemote6 : kLocal6) : (out ? kRemote4 : kLocal4)};
    s.sport = out ? 40000 : 80;
    s.dport = out ? 80 : 40000;
    s.flags = kAck | kPsh;
    s.timestamps = TcpTimestamps{out ? 1000u : 2000u, out ? 2000u : 1000u};
    s.payload = payload;
    s.leading_options = std::move(options);
    return BuildTcp(s);
  };
  std::vector<std::pair<std::string, Frame>> seeds = {
      {"tcp4_out", tcp(false, true)},
      {"tcp4_in", tcp(false, false)},
      {"tcp6_out", tcp(true, true)},
      {"tcp6_in_ack", tcp(true, false, {}, 0)},
      {"tcp4_ts_after_mss_sack", tcp(false, false, {2, 4, 0x05, 0xb4, 4, 2})},
      {"tcp4_ts_odd_offset", tcp(false, true, {1, 3, 3, 7})},
      {"tcp4_option_len0", tcp(false, false, {0x05, 0x00, 1, 1})},
      {"tcp4_option_len1", tcp(false, false, {0x05, 0x01, 1, 1})},
      {"tcp4_option_overruns", tcp(false, false, {0x1e, 0x28})},
      {"tcp4_no_timestamps", BuildTcp({kRemote4, kLocal4, 80, 40000, kAck, std::nullopt, 10})},
      {"tcp4_syn", BuildTcp({kLocal4, kRemote4, 40000, 80, kSyn, TcpTimestamps{5, 0}, 0})},
      {"icmp4_request", BuildEcho(kLocal4, kRemote4, true, 7, 1)},
      {"icmp4_reply", BuildEcho(kRemote4, kLocal4, false, 7, 1)},
      {"icmp6_reply", BuildEcho(kRemote6, kLocal6, false, 7, 1)},
      {"icmp4_error_quoting_tcp", IcmpError(tcp(false, true), false)},
      {"icmp6_error_quoting_tcp", IcmpError(tcp(true, true), true)},
      {"dns4_query", BuildUdp(kLocal4, kRemote4, 50000, 53, BuildDns({}))},
      {"dns4_response", BuildUdp(kRemote4, kLocal4, 53, 50000, BuildDns({.response = true}))},
      {"quic4_short", BuildUdp(kLocal4, kRemote4, 50000, 443, std::vector<uint8_t>(40, 0x61))},
      {"vlan_qinq_tcp4", WithVlans(tcp(false, false), {0x88a8, 0x8100})},
      {"vlan_three_tags", WithVlans(tcp(false, false), {0x88a8, 0x8100, 0x8100})},
      {"ipv6_ext_chain", WithIpv6Extensions(tcp(true, false), {0, 60, 43})},
      {"ipv6_fragment", WithIpv6Extensions(tcp(true, false), {44})},
      {"truncated_in_ip4", Truncate(tcp(false, false), 14 + 12)},
      {"truncated_in_tcp", Truncate(tcp(false, false), 14 + 20 + 10)},
      {"truncated_in_options", Truncate(tcp(false, false), 14 + 20 + 24)},
  };
  Frame ihl_short = tcp(false, false);
  ihl_short[14] = 0x44;  // IHL 4: shorter than the header itself
  seeds.emplace_back("ip4_ihl_4", ihl_short);
  Frame ihl_long = tcp(false, false);
  ihl_long[14] = 0x4f;  // IHL 15: options past the TCP header's start
  seeds.emplace_back("ip4_ihl_15", ihl_long);
  Frame doff = tcp(false, false);
  doff[14 + 20 + 12] = 0xf0;  // data offset 60 bytes, past the frame
  seeds.emplace_back("tcp4_doff_60", doff);
  return seeds;
}

std::string Hex(const Frame& frame) {
  std::ostringstream out;
  for (size_t i = 0; i < frame.size(); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof(byte), "%02x", frame[i]);
    out << byte << ((i + 1) % 32 == 0 ? "\n" : "");
  }
  out << "\n";
  return out.str();
}

Frame Unhex(const std::string& text) {
  Frame out;
  std::string digits;
  for (const char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<std::pair<std::string, Frame>> StoredCorpus() {
  std::vector<std::pair<std::string, Frame>> corpus;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpusDir)) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    corpus.emplace_back(entry.path().stem(), Unhex(text.str()));
  }
  std::sort(corpus.begin(), corpus.end());
  return corpus;
}

// --- Mutation --------------------------------------------------------------

constexpr std::array<uint8_t, 8> kInterestingBytes = {0x00, 0x01, 0x02, 0x08, 0x7f, 0x80, 0xfe, 0xff};

Frame Mutate(const Frame& seed, std::mt19937_64& random) {
  Frame f = seed;
  const auto pick = [&](size_t n) { return n ? static_cast<size_t>(random() % n) : 0; };
  const unsigned mutations = 1 + static_cast<unsigned>(random() % 4);
  for (unsigned m = 0; m < mutations && !f.empty(); ++m) {
    switch (random() % 8) {
      case 0: f[pick(f.size())] ^= static_cast<uint8_t>(1u << (random() % 8)); break;
      case 1: f[pick(f.size())] = kInterestingBytes[pick(kInterestingBytes.size())]; break;
      case 2: f[pick(f.size())] = static_cast<uint8_t>(random()); break;
      case 3: f.resize(pick(f.size() + 1)); break;
      case 4: {  // grow by random bytes
        const size_t more = 1 + pick(64);
        for (size_t i = 0; i < more; ++i) f.push_back(static_cast<uint8_t>(random()));
        break;
      }
      case 5: {  // a 16-bit field (a length, a port, an id) set to an edge
        const size_t at = pick(f.size() - 1);
        const uint16_t value = std::array<uint16_t, 5>{0, 1, 0x7fff, 0xffff, 0x0800}[pick(5)];
        f[at] = static_cast<uint8_t>(value >> 8);
        if (at + 1 < f.size()) f[at + 1] = static_cast<uint8_t>(value);
        break;
      }
      case 6:  // the IPv4 IHL or the TCP data offset nibble at their usual places
        if (f.size() > 14) f[14] = static_cast<uint8_t>((f[14] & 0xf0) | pick(16));
        if (f.size() > 46) f[46] = static_cast<uint8_t>((pick(16) << 4) | (f[46] & 0x0f));
        break;
      default: {  // a chunk of the frame copied elsewhere in it
        const size_t from = pick(f.size()), to = pick(f.size()), len = pick(16);
        for (size_t i = 0; i < len && from + i < f.size() && to + i < f.size(); ++i) f[to + i] = f[from + i];
      }
    }
  }
  return f;
}

// --- The test --------------------------------------------------------------

constexpr auto kTcPass = static_cast<__u32>(TC_ACT_UNSPEC);
constexpr auto kXdpPass = static_cast<__u32>(XDP_PASS);

class FuzzTest : public DatapathTest {
 protected:
  // Runs `frame` through `prog`; false if the kernel refused the frame
  // (it never reached the program).
  bool RunOne(int prog, const Frame& frame, __u32 pass) {
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<__u32>(frame.size());
    if (bpf_prog_test_run_opts(prog, &opts) != 0) {
      EXPECT_EQ(errno, EINVAL) << "only malformed frames may be refused";
      return false;
    }
    EXPECT_EQ(opts.retval, pass) << "a frame was not passed on";
    return true;
  }

  // Mutated corpus frames through `progs` (descriptor, return value that
  // passes the frame on), round robin; how many the programs ran.
  uint64_t Fuzz(const std::vector<std::pair<int, __u32>>& progs, uint64_t packets, uint64_t seed) {
    const auto corpus = StoredCorpus();
    EXPECT_GE(corpus.size(), 20u) << "the seed corpus in " << kCorpusDir;
    std::mt19937_64 random(seed);
    uint64_t ran = 0;
    for (uint64_t i = 0; i < packets && !corpus.empty(); ++i) {
      const Frame& seedling = corpus[random() % corpus.size()].second;
      const Frame frame = random() % 16 == 0 ? seedling : Mutate(seedling, random);
      const auto& [prog, pass] = progs[i % progs.size()];
      ran += RunOne(prog, frame, pass);
      if (HasFailure()) break;
    }
    return ran;
  }

  void ExpectEveryFrameCountedOnce(uint64_t ran) {
    const GlobalCounters c = Counters();
    uint64_t counted = c.truncated_packets, ip = 0, ecn = 0;
    for (int dir = 0; dir < PP_DIRECTIONS; ++dir) {
      counted += c.non_ip_packets[dir];
      for (int cls = 0; cls < PP_PROTO_CLASSES; ++cls) ip += c.ip_packets[dir][cls];
    }
    for (const uint64_t n : c.ecn_packets) ecn += n;
    EXPECT_EQ(counted + ip, ran) << "IP " << ip << ", truncated " << c.truncated_packets;
    EXPECT_EQ(ecn, ip);
  }

  const uint64_t packets_ = EnvOr("PPING_FUZZ_PACKETS", 500'000);
  const uint64_t seed_ = EnvOr("PPING_FUZZ_SEED", 20261130);
};

TEST_F(FuzzTest, ArrivingFramesAloneGiveNoRtt) {
  const DatapathPrograms& p = programs();
  const auto start = std::chrono::steady_clock::now();
  const uint64_t ran = Fuzz({{p.ethernet.tc_ingress.get(), kTcPass},
                             {p.ethernet.xdp_ingress.get(), kXdpPass},
                             {p.l3_only.tc_ingress.get(), kTcPass}},
                            packets_, seed_);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::cout << ran << " of " << packets_ << " frames ran (seed " << seed_ << ") in " << took.count() << " s\n";
  EXPECT_EQ(Counters().rtt_samples, 0u) << "an RTT without a stamp of our own side";
  EXPECT_EQ(Counters().dns_queries, 0u);
  ExpectEveryFrameCountedOnce(ran);
}

TEST_F(FuzzTest, BothWaysEveryFrameIsCountedOnce) {
  const DatapathPrograms& p = programs();
  const auto start = std::chrono::steady_clock::now();
  const uint64_t ran = Fuzz({{p.ethernet.tc_egress.get(), kTcPass},
                             {p.ethernet.tc_ingress.get(), kTcPass},
                             {p.l3_only.tc_egress.get(), kTcPass},
                             {p.ethernet.xdp_ingress.get(), kXdpPass}},
                            packets_, seed_ + 1);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::cout << ran << " of " << packets_ << " frames ran both ways in " << took.count() << " s, "
            << Counters().rtt_samples << " RTTs\n";
  ExpectEveryFrameCountedOnce(ran);
  // Any RTT is between a mutated frame of ours and a mutated echo of it,
  // both within this test: never longer than the test took.
  Sync();
  for (const char* prefix : {"192.0.2.0", "2001:db8:bb::"}) {
    const bool v6 = std::string(prefix).find(':') != std::string::npos;
    for (const uint8_t proto : {PP_PROTO_TCP, PP_PROTO_ICMP, PP_PROTO_ICMPV6}) {
      const PrefixStats s = Stats(prefix, v6 ? 48 : 96 + 24, static_cast<uint8_t>(proto));
      if (s.rtt_count) {
        EXPECT_LE(s.rtt_max_ns, static_cast<uint64_t>(took.count() * 1e9) + 1) << prefix;
      }
    }
  }
}

// Rewrites the stored corpus from the seeds above (not a test: run it with
// PPING_WRITE_FUZZ_CORPUS=1 `bazel run //tests/datapath:fuzz_test`).
TEST(FuzzCorpus, MatchesTheSeeds) {
  const auto seeds = Seeds();
  if (std::getenv("PPING_WRITE_FUZZ_CORPUS")) {
    const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    ASSERT_NE(workspace, nullptr) << "use bazel run";
    const std::filesystem::path dir = std::filesystem::path(workspace) / kCorpusDir;
    std::filesystem::create_directories(dir);
    for (const auto& [name, frame] : seeds) std::ofstream(dir / (name + ".hex")) << Hex(frame);
    return;
  }
  const auto stored = StoredCorpus();
  ASSERT_EQ(stored.size(), seeds.size()) << "regenerate the corpus (see above)";
  for (const auto& [name, frame] : seeds) {
    const auto it = std::find_if(stored.begin(), stored.end(), [&](const auto& s) { return s.first == name; });
    ASSERT_NE(it, stored.end()) << name;
    EXPECT_EQ(it->second, frame) << name;
  }
}

}  // namespace
}  // namespace pping::testing
