/* SPDX-License-Identifier: MIT */
/*
 * Cryptokey routing: a path-compressed binary trie per address family that
 * maps a prefix to a peer, with longest-prefix match. Sending looks up the
 * destination to pick a peer; receiving looks up the source to check the
 * peer was allowed to send it.
 */
#ifndef KGW_WG_ALLOWEDIPS_H
#define KGW_WG_ALLOWEDIPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"

struct wg_peer;
struct wg_trie_node;

struct wg_allowedips {
	struct wg_trie_node *root4, *root6;
	size_t nodes;
};

void wg_allowedips_init(struct wg_allowedips *t);
void wg_allowedips_free(struct wg_allowedips *t);
/* Host bits of the prefix are ignored. An existing prefix changes owner. */
int wg_allowedips_insert(struct wg_allowedips *t, const struct kgw_cidr *cidr, struct wg_peer *peer)
	__attribute__((warn_unused_result));
void wg_allowedips_remove_by_peer(struct wg_allowedips *t, const struct wg_peer *peer);
/* `addr' is 4 or 16 bytes in network order. */
struct wg_peer *wg_allowedips_lookup(const struct wg_allowedips *t, sa_family_t family, const uint8_t *addr);
/* Calls fn for each prefix of `peer' (IPv4 first); stops at a non-zero return. */
int wg_allowedips_for_each(const struct wg_allowedips *t, const struct wg_peer *peer,
			   int (*fn)(void *ctx, const struct kgw_cidr *cidr), void *ctx);

#endif
