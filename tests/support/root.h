// SPDX-License-Identifier: Apache-2.0
// Tests that load BPF programs or build namespaces need root; elsewhere
// they skip with a reason instead of failing.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#define PPING_SKIP_UNLESS_ROOT()                                                  \
  do {                                                                            \
    if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_BPF and CAP_NET_ADMIN)"; \
  } while (0)
