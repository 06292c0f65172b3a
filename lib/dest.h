/* SPDX-License-Identifier: MIT */
/*
 * An allowed destination of a session: a prefix and a TCP port range.
 * Text form, as in the control protocol and `kgwctl group allow':
 * "10.0.0.10/32" with ports "6443", "443,6443" or "8000-8080".
 */
#ifndef KGW_DEST_H
#define KGW_DEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* A session may reach at most this many (prefix, port range) pairs. */
#define KGW_DEST_MAX 256

struct kgw_dest {
	struct kgw_cidr cidr;
	uint16_t port_lo, port_hi;
};

/*
 * Appends the destinations of CIDR x PORTS to `out' (capacity `max',
 * count in *n). -EINVAL for a bad prefix (host bits set count as bad) or
 * port list, -E2BIG past `max'; on error *n is unchanged.
 */
int kgw_dest_parse(const char *cidr, const char *ports, struct kgw_dest *out, size_t max, size_t *n)
	__attribute__((warn_unused_result));
/* "6443" or "8000-8080". */
void kgw_dest_format_ports(const struct kgw_dest *d, char out[static 12]);
bool kgw_dest_match(const struct kgw_dest *d, size_t n, sa_family_t family, const uint8_t *addr,
		    uint16_t port);

#endif
