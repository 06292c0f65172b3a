/* SPDX-License-Identifier: MIT */
/*
 * Who a client is, for limits: an IPv4 address, or an IPv6 /64 (one
 * subscriber's worth of addresses). A dual-stack socket's ::ffff:a.b.c.d
 * is the IPv4 address it maps.
 */
#ifndef KGW_SOURCE_H
#define KGW_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

#define KGW_SOURCE_KEY_MAX 9

struct kgw_source_key {
	uint8_t b[KGW_SOURCE_KEY_MAX];	/* family tag, then 4 or 8 address bytes */
	uint8_t len;
};

void kgw_source_key(const union kgw_sockaddr *sa, struct kgw_source_key *key);
bool kgw_source_same(const union kgw_sockaddr *a, const union kgw_sockaddr *b);
/* The address without the port ("192.0.2.1", "2001:db8::1"), for logs. */
const char *kgw_source_format(const union kgw_sockaddr *sa, char out[static KGW_ADDR_STR_MAX]);

#endif
