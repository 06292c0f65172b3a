/* SPDX-License-Identifier: MIT */
/*
 * The tunnel address pool: each session gets one IPv4 address from
 * tunnel_pool and the IPv6 address with the same host number in
 * tunnel_pool6. The gateway itself has host number 1.
 *
 * Allocation is next-fit: a freed address is handed out again only after
 * the rest of the pool has been used, so a new session does not inherit an
 * address (and conntrack state, or an operator's idea of who it is) that
 * a session ended a moment ago.
 */
#ifndef KGW_POOL_H
#define KGW_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

struct kgw_pool {
	struct kgw_cidr net4, net6;
	uint32_t size;		/* host numbers 2 .. size-1 are for clients */
	uint32_t cursor;	/* where the next search starts */
	uint32_t used;
	uint64_t *bits;
};

/* The pool size follows the IPv4 prefix (at most /8: 16M hosts). */
int kgw_pool_init(struct kgw_pool *p, const struct kgw_cidr *net4, const struct kgw_cidr *net6)
	__attribute__((warn_unused_result));
void kgw_pool_free(struct kgw_pool *p);

/* Host number -> the two addresses (as /32 and /128 prefixes). */
void kgw_pool_addr(const struct kgw_pool *p, uint32_t host, struct kgw_cidr *a4, struct kgw_cidr *a6);
/* The gateway's own addresses, with the pool's prefix lengths. */
void kgw_pool_gateway(const struct kgw_pool *p, struct kgw_cidr *a4, struct kgw_cidr *a6);

/* -ENOSPC when full. */
int kgw_pool_alloc(struct kgw_pool *p, uint32_t *host) __attribute__((warn_unused_result));
/* Marks a given address used (restoring sessions); -EEXIST, -ERANGE. */
int kgw_pool_take(struct kgw_pool *p, const struct kgw_cidr *a4, uint32_t *host)
	__attribute__((warn_unused_result));
void kgw_pool_release(struct kgw_pool *p, uint32_t host);
uint32_t kgw_pool_available(const struct kgw_pool *p);

#endif
