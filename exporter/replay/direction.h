// SPDX-License-Identifier: Apache-2.0
// Which hook a captured packet went through: egress (it left the local
// side) or ingress. In order of trust:
//   1. a local MAC given (--replay.local-mac): its frames left, frames to it came in;
//   2. a local address or prefix given (--replay.local): the same by IP address;
//   3. what a Linux cooked capture recorded (outgoing or not);
//   4. per flow, from the capture itself:
//      a. the flow's own opening: the side that sent a TCP SYN (or
//         received the SYN-ACK) or an echo request (or received the
//         reply) is local;
//      b. else an endpoint address that (a) has shown local, or remote, in
//         another flow of the capture so far;
//      c. else the endpoint with the higher port (the client's ephemeral
//         one) is local; with equal ports, the sender of the first packet.
//      A flow decided by (b) or (c) is decided again by its later packets
//      until (a) settles it, so a guess does not outlive better evidence.
// Frames no rule decides (not IP, no hint) count as ingress.
#pragma once

#include <array>
#include <unordered_map>
#include <utility>
#include <vector>

#include "exporter/replay/frame.h"
#include "exporter/replay/replay_options.h"

namespace pping {

class DirectionOracle {
 public:
  DirectionOracle(std::vector<AddressPrefix> local, std::vector<MacAddress> local_macs)
      : local_(std::move(local)), local_macs_(std::move(local_macs)) {}

  bool Outgoing(const PacketSummary& packet);

  // How many packets each rule decided (IP packets no rule decides count
  // under kGuessed, others are not counted).
  enum Rule { kGivenSide, kCookedRecord, kOpening, kLearntAddress, kGuessed, kRules };
  uint64_t decided_by(Rule rule) const { return decided_[rule]; }
  bool side_given() const { return !local_.empty() || !local_macs_.empty(); }

  // Flows and addresses remembered for rule 4; past this many each memory
  // is started afresh (later packets decide again), so it stays bounded.
  static constexpr size_t kMaxFlows = size_t{1} << 20;
  static constexpr size_t kMaxAddresses = size_t{1} << 16;

 private:
  struct FlowKey {
    Address16 a{}, b{};  // the endpoints, the lower address first
    uint16_t a_port = 0, b_port = 0;
    uint8_t protocol = 0;
    bool operator==(const FlowKey&) const = default;
  };
  struct FlowSide {
    bool a_is_local = false;
    bool settled = false;  // by the flow's own opening (rule 4a)
    Rule rule = kGuessed;  // what decided it last
  };
  struct Hash {
    size_t operator()(const FlowKey& key) const;
    size_t operator()(const Address16& address) const;
  };

  std::optional<bool> ByGivenSide(const PacketSummary& packet) const;
  bool ByFlow(const PacketSummary& packet);
  // Rules 4b and 4c: whether the packet's sender is local, and by which.
  std::pair<bool, Rule> GuessSenderLocal(const PacketSummary& packet, bool first_packet) const;
  void Learn(const Address16& address, bool local);

  std::vector<AddressPrefix> local_;
  std::vector<MacAddress> local_macs_;
  std::unordered_map<FlowKey, FlowSide, Hash> flows_;
  std::unordered_map<Address16, bool, Hash> address_is_local_;  // learnt by rule 4a
  std::array<uint64_t, kRules> decided_{};
};

// Whether `address` lies in `prefix`.
bool InPrefix(const Address16& address, const AddressPrefix& prefix);

}  // namespace pping
