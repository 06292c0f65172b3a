/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "wg_allowedips.h"

struct wg_trie_node {
	struct wg_trie_node *child[2];
	struct wg_trie_node *parent;	/* NULL at a root */
	struct wg_peer *peer;		/* NULL: a branch point only */
	struct wg_trie_node *peer_next;	/* the peer's next prefix */
	uint8_t cidr;
	uint8_t v6;			/* which root */
	uint8_t bits[16];		/* the prefix, host bits zero */
};

/* Where a peer's chain starts. One per peer with at least one prefix. */
struct wg_aip_owner {
	struct kgw_hnode node;		/* in t->owners, by the peer's address */
	const struct wg_peer *peer;
	struct wg_trie_node *first;
};

/* Peer addresses are ours, not a remote party's: a multiplicative mix will do. */
static uint64_t owner_hash(const struct wg_peer *peer)
{
	uint64_t h = (uint64_t)(uintptr_t)peer * 0x9e3779b97f4a7c15ULL;

	return h ^ (h >> 29);
}

static struct wg_aip_owner *owner_find(const struct wg_allowedips *t, const struct wg_peer *peer)
{
	uint64_t h = owner_hash(peer);
	struct kgw_hnode *pos;

	if (!t->owners.buckets)
		return NULL;
	kgw_htable_for_each_hash(&t->owners, pos, h) {
		struct wg_aip_owner *o = kgw_container_of(pos, struct wg_aip_owner, node);

		if (o->peer == peer)
			return o;
	}
	return NULL;
}

/* The peer's chain, made if it has none yet; NULL when out of memory. */
static struct wg_aip_owner *owner_get(struct wg_allowedips *t, const struct wg_peer *peer)
{
	struct wg_aip_owner *o = owner_find(t, peer);

	if (o)
		return o;
	if (!t->owners.buckets && kgw_htable_init(&t->owners, 64))
		return NULL;
	if (!(o = calloc(1, sizeof(*o))))
		return NULL;
	o->peer = peer;
	kgw_htable_insert(&t->owners, &o->node, owner_hash(peer));
	return o;
}

static void owner_drop_if_empty(struct wg_allowedips *t, struct wg_aip_owner *o)
{
	if (o && !o->first) {
		kgw_htable_remove(&t->owners, &o->node);
		free(o);
	}
}

static void owner_push(struct wg_aip_owner *o, struct wg_trie_node *n)
{
	n->peer_next = o->first;
	o->first = n;
}

/* Takes n off its peer's chain: a walk of that peer's prefixes only. */
static void owner_unlink(struct wg_allowedips *t, struct wg_trie_node *n)
{
	struct wg_aip_owner *o = owner_find(t, n->peer);
	struct wg_trie_node **pp;

	if (!o)
		return;
	for (pp = &o->first; *pp && *pp != n; pp = &(*pp)->peer_next)
		;
	if (*pp)
		*pp = n->peer_next;
	n->peer_next = NULL;
	owner_drop_if_empty(t, o);
}

static unsigned int bit_at(const uint8_t *key, unsigned int i)
{
	return (key[i / 8] >> (7 - i % 8)) & 1;
}

static void mask(uint8_t out[16], const uint8_t *key, unsigned int cidr, unsigned int len)
{
	memset(out, 0, 16);
	memcpy(out, key, len);
	for (unsigned int i = cidr; i < len * 8; i++)
		out[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/* The number of leading bits a and b share, at most `max'. */
static unsigned int common_bits(const uint8_t *a, const uint8_t *b, unsigned int max)
{
	unsigned int i = 0;

	while (i < max && bit_at(a, i) == bit_at(b, i))
		i++;
	return i;
}

/* Does addr start with the node's prefix? Bytewise: this is the hot path. */
static bool prefix_match(const uint8_t *addr, const struct wg_trie_node *n)
{
	unsigned int full = n->cidr / 8, rest = n->cidr % 8;

	if (memcmp(addr, n->bits, full))
		return false;
	return !rest || !((addr[full] ^ n->bits[full]) & (uint8_t)(0xff00 >> rest));
}

static struct wg_trie_node *node_new(struct wg_allowedips *t, const uint8_t bits[16], unsigned int cidr,
				     bool v6, struct wg_peer *peer)
{
	struct wg_trie_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	memcpy(n->bits, bits, 16);
	n->cidr = (uint8_t)cidr;
	n->v6 = v6;
	n->peer = peer;
	t->nodes++;
	return n;
}

static void set_child(struct wg_trie_node *parent, unsigned int bit, struct wg_trie_node *n)
{
	parent->child[bit] = n;
	if (n)
		n->parent = parent;
}

/* The pointer that points at n: its parent's child or a root. */
static struct wg_trie_node **slot_of(struct wg_allowedips *t, struct wg_trie_node *n)
{
	if (!n->parent)
		return n->v6 ? &t->root6 : &t->root4;
	return &n->parent->child[n->parent->child[1] == n];
}

void wg_allowedips_init(struct wg_allowedips *t)
{
	memset(t, 0, sizeof(*t));
}

static void free_tree(struct wg_trie_node *n)
{
	if (!n)
		return;
	free_tree(n->child[0]);
	free_tree(n->child[1]);
	free(n);
}

void wg_allowedips_free(struct wg_allowedips *t)
{
	free_tree(t->root4);
	free_tree(t->root6);
	for (size_t i = 0; t->owners.buckets && i <= t->owners.mask; i++) {
		struct kgw_hnode *pos = t->owners.buckets[i], *next;

		for (; pos; pos = next) {
			next = pos->next;
			free(kgw_container_of(pos, struct wg_aip_owner, node));
		}
	}
	kgw_htable_free(&t->owners);
	memset(t, 0, sizeof(*t));
}

/* An existing prefix: it changes owner, from one chain to the other. */
static void reassign(struct wg_allowedips *t, struct wg_trie_node *n, struct wg_aip_owner *o)
{
	if (n->peer == o->peer)
		return;
	if (n->peer)
		owner_unlink(t, n);
	n->peer = (struct wg_peer *)o->peer;
	owner_push(o, n);
}

int wg_allowedips_insert(struct wg_allowedips *t, const struct kgw_cidr *cidr, struct wg_peer *peer)
{
	unsigned int len = cidr->family == AF_INET ? 4 : 16, common;
	struct wg_trie_node **slot, *n, *parent = NULL, *leaf, *branch;
	bool v6 = cidr->family == AF_INET6;
	uint8_t key[16], split[16];
	struct wg_aip_owner *o;

	if ((cidr->family != AF_INET && cidr->family != AF_INET6) || cidr->prefix > len * 8 || !peer)
		return -EINVAL;
	/* First, so nothing below can fail after the trie has changed. */
	if (!(o = owner_get(t, peer)))
		return -ENOMEM;
	mask(key, cidr->addr, cidr->prefix, len);
	slot = v6 ? &t->root6 : &t->root4;
	while ((n = *slot)) {
		common = common_bits(key, n->bits, cidr->prefix < n->cidr ? cidr->prefix : n->cidr);
		if (common == n->cidr && common == cidr->prefix) {
			reassign(t, n, o);
			return 0;
		}
		if (common == n->cidr) {
			parent = n;
			slot = &n->child[bit_at(key, n->cidr)];
			continue;
		}
		if (common == cidr->prefix) {
			/* The new prefix sits above n. */
			if (!(leaf = node_new(t, key, cidr->prefix, v6, peer)))
				goto nomem;
			set_child(leaf, bit_at(n->bits, cidr->prefix), n);
			leaf->parent = parent;
			*slot = leaf;
			owner_push(o, leaf);
			return 0;
		}
		/* They part ways: a branch point at the bits they share. */
		mask(split, key, common, len);
		leaf = node_new(t, key, cidr->prefix, v6, peer);
		branch = node_new(t, split, common, v6, NULL);
		if (!leaf || !branch) {
			t->nodes -= !!leaf + !!branch;
			free(leaf);
			free(branch);
			goto nomem;
		}
		set_child(branch, bit_at(key, common), leaf);
		set_child(branch, bit_at(n->bits, common), n);
		branch->parent = parent;
		*slot = branch;
		owner_push(o, leaf);
		return 0;
	}
	if (!(n = node_new(t, key, cidr->prefix, v6, peer)))
		goto nomem;
	n->parent = parent;
	*slot = n;
	owner_push(o, n);
	return 0;
nomem:
	owner_drop_if_empty(t, o);
	return -ENOMEM;
}

/* n lost its peer: it and every ancestor left without a purpose go. */
static void prune_up(struct wg_allowedips *t, struct wg_trie_node *n)
{
	while (n && !n->peer && !(n->child[0] && n->child[1])) {
		struct wg_trie_node *parent = n->parent, *child = n->child[0] ? n->child[0] : n->child[1];

		*slot_of(t, n) = child;
		if (child)
			child->parent = parent;
		free(n);
		t->nodes--;
		n = parent;
	}
}

void wg_allowedips_remove_by_peer(struct wg_allowedips *t, const struct wg_peer *peer)
{
	struct wg_aip_owner *o = owner_find(t, peer);
	struct wg_trie_node *n;

	if (!o)
		return;
	while ((n = o->first)) {
		o->first = n->peer_next;
		n->peer_next = NULL;
		n->peer = NULL;
		prune_up(t, n);
	}
	owner_drop_if_empty(t, o);
}

struct wg_peer *wg_allowedips_lookup(const struct wg_allowedips *t, sa_family_t family, const uint8_t *addr)
{
	const struct wg_trie_node *n = family == AF_INET ? t->root4 : family == AF_INET6 ? t->root6 : NULL;
	unsigned int max = family == AF_INET ? 32 : 128;
	struct wg_peer *best = NULL;

	while (n && prefix_match(addr, n)) {
		if (n->peer)
			best = n->peer;
		if (n->cidr == max)
			break;
		n = n->child[bit_at(addr, n->cidr)];
	}
	return best;
}

int wg_allowedips_for_each(const struct wg_allowedips *t, const struct wg_peer *peer,
			   int (*fn)(void *ctx, const struct kgw_cidr *cidr), void *ctx)
{
	const struct wg_aip_owner *o = owner_find(t, peer);
	struct kgw_cidr c;
	int ret;

	/* Two rounds over the peer's chain: IPv4 first, as the interface promises. */
	for (int v6 = 0; o && v6 < 2; v6++) {
		for (const struct wg_trie_node *n = o->first; n; n = n->peer_next) {
			if (n->v6 != v6)
				continue;
			memset(&c, 0, sizeof(c));
			c.family = v6 ? AF_INET6 : AF_INET;
			c.prefix = n->cidr;
			memcpy(c.addr, n->bits, 16);
			if ((ret = fn(ctx, &c)))
				return ret;
		}
	}
	return 0;
}

/* Counts the nodes with a peer under n, checking the shape on the way. */
static bool valid_subtree(const struct wg_allowedips *t, const struct wg_trie_node *n,
			  const struct wg_trie_node *parent, bool v6, size_t *owned, size_t *all)
{
	if (!n)
		return true;
	if (n->parent != parent || n->v6 != v6 || (parent && n->cidr <= parent->cidr))
		return false;
	if (!n->peer && !(n->child[0] && n->child[1]))
		return false;
	if (n->peer) {
		const struct wg_aip_owner *o = owner_find(t, n->peer);
		size_t seen = 0;

		for (const struct wg_trie_node *m = o ? o->first : NULL; m; m = m->peer_next)
			seen += m == n;
		if (seen != 1)
			return false;
		(*owned)++;
	}
	(*all)++;
	return valid_subtree(t, n->child[0], n, v6, owned, all) &&
	       valid_subtree(t, n->child[1], n, v6, owned, all);
}

bool wg_allowedips_valid(const struct wg_allowedips *t)
{
	size_t owned = 0, all = 0, chained = 0;

	if (!valid_subtree(t, t->root4, NULL, false, &owned, &all) ||
	    !valid_subtree(t, t->root6, NULL, true, &owned, &all))
		return false;
	for (size_t i = 0; t->owners.buckets && i <= t->owners.mask; i++) {
		for (const struct kgw_hnode *pos = t->owners.buckets[i]; pos; pos = pos->next) {
			const struct wg_aip_owner *o = kgw_container_of(pos, struct wg_aip_owner, node);

			if (!o->first)
				return false;
			for (const struct wg_trie_node *m = o->first; m; m = m->peer_next, chained++)
				if (m->peer != o->peer)
					return false;
		}
	}
	return all == t->nodes && owned == chained;
}
