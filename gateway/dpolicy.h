/* SPDX-License-Identifier: MIT */
/*
 * The data-plane half of the policy: a decrypted packet from a session
 * goes on only if it is TCP to one of the session's destinations. (The
 * source was checked already: cryptokey routing allows each peer only its
 * own tunnel addresses.) nftables checks the same again on the host.
 */
#ifndef KGW_DPOLICY_H
#define KGW_DPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dest.h"

/*
 * Pure: true when `pkt' is an IPv4 or IPv6 TCP segment (first fragment,
 * with its ports) whose destination address and port are allowed.
 */
bool kgw_dpolicy_allow(const struct kgw_dest *dests, size_t n, const uint8_t *pkt, size_t len);

#endif
