/* SPDX-License-Identifier: MIT */
/* kgw-portal's system call allow-list (see lib/sandbox.h). */
#ifndef KGW_SANDBOX_PORTAL_H
#define KGW_SANDBOX_PORTAL_H

#include "sandbox.h"

extern const struct kgw_sandbox_policy kgw_portal_sandbox_policy;

#endif
