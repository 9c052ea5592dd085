// SPDX-License-Identifier: Apache-2.0
// Where and how the programs are attached, as typed values: the
// configuration parses the words, the attach code never does.
#pragma once

#include <string>
#include <vector>

namespace pping {

// How tc programs are attached: TCX links where the kernel has them, else
// a clsact qdisc; or only one of the two.
enum class TcMode { kAuto, kTcx, kClsact };

enum class IngressHook { kTc, kXdp };

// The XDP attach mode; unspecified lets the kernel choose.
enum class XdpMode { kUnspecified, kNative, kGeneric };

struct HookOptions {
  TcMode tc_mode = TcMode::kAuto;
  IngressHook ingress = IngressHook::kTc;
  XdpMode xdp_mode = XdpMode::kUnspecified;
};

struct AttachOptions {
  std::vector<std::string> interfaces;  // empty: the default-route interface
  std::string netns;                    // named netns holding them; empty: the exporter's own
  HookOptions hooks;
};

}  // namespace pping
