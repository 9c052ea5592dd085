// SPDX-License-Identifier: Apache-2.0
#include "exporter/replay/direction.h"

#include <algorithm>
#include <cstring>
#include <tuple>

namespace pping {
namespace {

constexpr uint8_t kSyn = 0x02, kAck = 0x10;
constexpr uint8_t kTcp = 6, kIcmp = 1, kIcmpv6 = 58;

// Whether the packet's sender opens the conversation, its receiver does,
// or it does not tell.
std::optional<bool> SenderOpens(const PacketSummary& p) {
  if (p.protocol == kTcp && (p.tcp_flags & kSyn)) return !(p.tcp_flags & kAck);
  if (p.protocol == kIcmp && (p.icmp_type == 8 || p.icmp_type == 0)) return p.icmp_type == 8;
  if (p.protocol == kIcmpv6 && (p.icmp_type == 128 || p.icmp_type == 129)) return p.icmp_type == 128;
  return std::nullopt;
}

}  // namespace

bool InPrefix(const Address16& address, const AddressPrefix& prefix) {
  const Address16 mask = PrefixMask(prefix.length);
  for (size_t i = 0; i < address.size(); ++i) {
    if ((address[i] & mask[i]) != (prefix.address[i] & mask[i])) return false;
  }
  return true;
}

namespace {

uint64_t Fnv1a(uint64_t h, const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
  return h;
}

constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;

}  // namespace

size_t DirectionOracle::Hash::operator()(const FlowKey& k) const {
  uint64_t h = Fnv1a(kFnvBasis, k.a.data(), k.a.size());
  h = Fnv1a(h, k.b.data(), k.b.size());
  h = Fnv1a(h, &k.a_port, sizeof(k.a_port));
  h = Fnv1a(h, &k.b_port, sizeof(k.b_port));
  return static_cast<size_t>(Fnv1a(h, &k.protocol, sizeof(k.protocol)));
}

size_t DirectionOracle::Hash::operator()(const Address16& address) const {
  return static_cast<size_t>(Fnv1a(kFnvBasis, address.data(), address.size()));
}

std::optional<bool> DirectionOracle::ByGivenSide(const PacketSummary& p) const {
  const auto mac_local = [this](const std::optional<MacAddress>& mac) {
    return mac && std::find(local_macs_.begin(), local_macs_.end(), *mac) != local_macs_.end();
  };
  if (mac_local(p.src_mac)) return true;
  if (mac_local(p.dst_mac)) return false;
  if (!p.ip) return std::nullopt;
  const auto local = [this](const Address16& address) {
    return std::any_of(local_.begin(), local_.end(), [&](const AddressPrefix& l) { return InPrefix(address, l); });
  };
  if (local(p.src)) return true;
  if (local(p.dst)) return false;
  return std::nullopt;
}

void DirectionOracle::Learn(const Address16& address, bool local) {
  if (address_is_local_.size() >= kMaxAddresses && !address_is_local_.contains(address)) address_is_local_.clear();
  address_is_local_[address] = local;
}

std::pair<bool, DirectionOracle::Rule> DirectionOracle::GuessSenderLocal(const PacketSummary& p,
                                                                         bool first_packet) const {
  for (const auto& [address, sender] : {std::pair{&p.src, true}, std::pair{&p.dst, false}}) {
    const auto known = address_is_local_.find(*address);
    if (known != address_is_local_.end()) return {known->second == sender, kLearntAddress};
  }
  if (p.src_port != p.dst_port) return {p.src_port > p.dst_port, kGuessed};
  return {first_packet, kGuessed};
}

bool DirectionOracle::ByFlow(const PacketSummary& p) {
  const bool src_first = std::tie(p.src, p.src_port) <= std::tie(p.dst, p.dst_port);
  const FlowKey key{src_first ? p.src : p.dst, src_first ? p.dst : p.src, src_first ? p.src_port : p.dst_port,
                    src_first ? p.dst_port : p.src_port, p.protocol};
  auto flow = flows_.find(key);
  const bool first_packet = flow == flows_.end();
  if (first_packet) {
    if (flows_.size() >= kMaxFlows) flows_.clear();
    flow = flows_.emplace(key, FlowSide{}).first;
  }
  FlowSide& side = flow->second;
  if (const std::optional<bool> opens = SenderOpens(p)) {
    side = {.a_is_local = src_first == *opens, .settled = true, .rule = kOpening};
    Learn(p.src, *opens);
    Learn(p.dst, !*opens);
  } else if (!side.settled) {
    // A guess; the first packet's stands unless better evidence came since.
    const auto [sender_local, rule] = GuessSenderLocal(p, first_packet || side.a_is_local == src_first);
    side.a_is_local = src_first == sender_local;
    side.rule = rule;
  }
  ++decided_[side.rule];
  return side.a_is_local == src_first;
}

bool DirectionOracle::Outgoing(const PacketSummary& p) {
  if (const std::optional<bool> given = ByGivenSide(p)) {
    ++decided_[kGivenSide];
    return *given;
  }
  if (p.outgoing) {
    ++decided_[kCookedRecord];
    return *p.outgoing;
  }
  if (!p.ip) return false;
  return ByFlow(p);
}

}  // namespace pping
