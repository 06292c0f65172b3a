/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "dpolicy.h"

/* Where the TCP header starts, or 0 when this is not a checkable TCP segment. */
static size_t tcp_offset(const uint8_t *pkt, size_t len, sa_family_t *family, const uint8_t **dst)
{
	size_t ihl;

	if (len >= 20 && pkt[0] >> 4 == 4) {
		ihl = (size_t)(pkt[0] & 0x0f) * 4;
		/* Later fragments carry no ports: refuse rather than guess. */
		if (ihl < 20 || pkt[9] != IPPROTO_TCP || ((pkt[6] & 0x1f) | pkt[7]))
			return 0;
		*family = AF_INET;
		*dst = pkt + 16;
		return ihl;
	}
	/*
	 * IPv6: only TCP directly after the fixed header. Extension headers
	 * (fragments, routing) are dropped: clients have no need of them.
	 */
	if (len >= 40 && pkt[0] >> 4 == 6 && pkt[6] == IPPROTO_TCP) {
		*family = AF_INET6;
		*dst = pkt + 24;
		return 40;
	}
	return 0;
}

bool kgw_dpolicy_allow(const struct kgw_dest *dests, size_t n, const uint8_t *pkt, size_t len)
{
	const uint8_t *dst;
	sa_family_t family;
	size_t off = tcp_offset(pkt, len, &family, &dst);
	uint16_t port;

	if (!off || len < off + 20)
		return false;
	port = (uint16_t)(pkt[off + 2] << 8 | pkt[off + 3]);
	return kgw_dest_match(dests, n, family, dst, port);
}
