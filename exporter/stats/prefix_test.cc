// SPDX-License-Identifier: Apache-2.0
#include "exporter/stats/prefix.h"

#include <gtest/gtest.h>

#include "exporter/util/error.h"

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

TEST(Prefix, ParseRejectsGarbage) { EXPECT_THROW(ParseAddress("not-an-ip"), UsageError); }

}  // namespace
}  // namespace pping
