// SPDX-License-Identifier: Apache-2.0
#include "exporter/prefix.h"

#include <gtest/gtest.h>

#include "exporter/error.h"

namespace pping {
namespace {

TEST(Prefix, TextOfMappedIpv4CountsIpv4Bits) {
  EXPECT_EQ(PrefixText(ParseAddress("192.0.2.0"), 96 + 24), "192.0.2.0/24");
}

TEST(Prefix, TextOfIpv6) { EXPECT_EQ(PrefixText(ParseAddress("2001:db8:1::"), 48), "2001:db8:1::/48"); }

TEST(Prefix, MaskSetsLeadingBits) {
  const Address16 mask = PrefixMask(12);
  EXPECT_EQ(mask[0], 0xff);
  EXPECT_EQ(mask[1], 0xf0);
  EXPECT_EQ(mask[2], 0x00);
}

TEST(Prefix, ConfigMasksKeepMappedMarkerForIpv4) {
  const pp_config c = MakePrefixConfig(24, 48);
  const auto* v4 = reinterpret_cast<const uint8_t*>(c.ipv4_mask);
  EXPECT_EQ(v4[11], 0xff);
  EXPECT_EQ(v4[14], 0xff);
  EXPECT_EQ(v4[15], 0x00);
  EXPECT_EQ(c.ipv4_prefix_len, 120);
  EXPECT_EQ(c.ipv6_prefix_len, 48);
  const auto* v6 = reinterpret_cast<const uint8_t*>(c.ipv6_mask);
  EXPECT_EQ(v6[5], 0xff);
  EXPECT_EQ(v6[6], 0x00);
}

TEST(Prefix, ConfigRejectsOutOfRangeLengths) {
  EXPECT_THROW(MakePrefixConfig(33, 48), UsageError);
  EXPECT_THROW(MakePrefixConfig(24, 129), UsageError);
}

TEST(Prefix, ParseRejectsGarbage) { EXPECT_THROW(ParseAddress("not-an-ip"), UsageError); }

}  // namespace
}  // namespace pping
