/* SPDX-License-Identifier: MIT */
/*
 * Cryptokey routing: a path-compressed binary trie per address family that
 * maps a prefix to a peer, with longest-prefix match. Sending looks up the
 * destination to pick a peer; receiving looks up the source to check the
 * peer was allowed to send it. Each peer's prefixes are also chained
 * together, found through a table by peer, so removing a peer or listing
 * its prefixes costs its own prefixes times their length, not a walk of
 * the whole trie.
 */
#ifndef KGW_WG_ALLOWEDIPS_H
#define KGW_WG_ALLOWEDIPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "htable.h"

struct wg_peer;
struct wg_trie_node;

struct wg_allowedips {
	struct wg_trie_node *root4, *root6;
	size_t nodes;
	struct kgw_htable owners;	/* peer -> its chain of nodes; made at the first insert */
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

/*
 * For the tests: every parent link points back, no node is left without
 * a peer and with fewer than two children, and every prefix is on its
 * peer's chain exactly once. O(nodes).
 */
bool wg_allowedips_valid(const struct wg_allowedips *t);

#endif
