/* SPDX-License-Identifier: MIT */
/* The gateway daemons' system call allow-lists (see lib/sandbox.h). */
#ifndef KGW_SANDBOX_GW_H
#define KGW_SANDBOX_GW_H

#include "sandbox.h"

extern const struct kgw_sandbox_policy kgwd_sandbox_policy;
extern const struct kgw_sandbox_policy kgw_wg_sandbox_policy;

#endif
