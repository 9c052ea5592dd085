// SPDX-License-Identifier: Apache-2.0
// Address and prefix helpers around the 16-byte address form the datapath
// uses (IPv4 as ::ffff:a.b.c.d): CIDR text for labels and prefix masks.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace pping {

using Address16 = std::array<uint8_t, 16>;

bool IsMappedIpv4(const Address16& addr);

// "192.0.2.0/24" or "2001:db8::/48"; `mapped_len` counts the 16-byte form.
std::string PrefixText(const Address16& prefix, unsigned mapped_len);

// Mask with the first `mapped_len` bits set, as the datapath ANDs it.
Address16 PrefixMask(unsigned mapped_len);

// Parses an IPv4 or IPv6 address into the 16-byte form; throws on error.
Address16 ParseAddress(const std::string& text);

}  // namespace pping
