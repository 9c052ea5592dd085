/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The datapath's options, in .rodata: the exporter fills them before load,
 * so the verifier sees constants and prunes disabled features. */
#ifndef PPING_CONFIG_H
#define PPING_CONFIG_H

#include "abi/pping_abi.h"

extern const volatile struct pp_config pp_cfg;

#endif /* PPING_CONFIG_H */
