/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "wg_allowedips.h"

struct wg_trie_node {
	struct wg_trie_node *child[2];
	struct wg_peer *peer;		/* NULL: a branch point only */
	uint8_t cidr;
	uint8_t bits[16];		/* the prefix, host bits zero */
};

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
				     struct wg_peer *peer)
{
	struct wg_trie_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	memcpy(n->bits, bits, 16);
	n->cidr = (uint8_t)cidr;
	n->peer = peer;
	t->nodes++;
	return n;
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
	memset(t, 0, sizeof(*t));
}

int wg_allowedips_insert(struct wg_allowedips *t, const struct kgw_cidr *cidr, struct wg_peer *peer)
{
	unsigned int len = cidr->family == AF_INET ? 4 : 16, common;
	struct wg_trie_node **slot, *n, *leaf, *branch;
	uint8_t key[16], split[16];

	if ((cidr->family != AF_INET && cidr->family != AF_INET6) || cidr->prefix > len * 8 || !peer)
		return -EINVAL;
	mask(key, cidr->addr, cidr->prefix, len);
	slot = cidr->family == AF_INET ? &t->root4 : &t->root6;
	while ((n = *slot)) {
		common = common_bits(key, n->bits, cidr->prefix < n->cidr ? cidr->prefix : n->cidr);
		if (common == n->cidr && common == cidr->prefix) {
			n->peer = peer;
			return 0;
		}
		if (common == n->cidr) {
			slot = &n->child[bit_at(key, n->cidr)];
			continue;
		}
		if (common == cidr->prefix) {
			/* The new prefix sits above n. */
			if (!(leaf = node_new(t, key, cidr->prefix, peer)))
				return -ENOMEM;
			leaf->child[bit_at(n->bits, cidr->prefix)] = n;
			*slot = leaf;
			return 0;
		}
		/* They part ways: a branch point at the bits they share. */
		mask(split, key, common, len);
		leaf = node_new(t, key, cidr->prefix, peer);
		branch = node_new(t, split, common, NULL);
		if (!leaf || !branch) {
			t->nodes -= !!leaf + !!branch;
			free(leaf);
			free(branch);
			return -ENOMEM;
		}
		branch->child[bit_at(key, common)] = leaf;
		branch->child[bit_at(n->bits, common)] = n;
		*slot = branch;
		return 0;
	}
	return (*slot = node_new(t, key, cidr->prefix, peer)) ? 0 : -ENOMEM;
}

/* Post-order: drop the peer's prefixes and every node left without a purpose. */
static void prune(struct wg_allowedips *t, struct wg_trie_node **slot, const struct wg_peer *peer)
{
	struct wg_trie_node *n = *slot;

	if (!n)
		return;
	prune(t, &n->child[0], peer);
	prune(t, &n->child[1], peer);
	if (n->peer == peer)
		n->peer = NULL;
	if (n->peer || (n->child[0] && n->child[1]))
		return;
	*slot = n->child[0] ? n->child[0] : n->child[1];
	free(n);
	t->nodes--;
}

void wg_allowedips_remove_by_peer(struct wg_allowedips *t, const struct wg_peer *peer)
{
	prune(t, &t->root4, peer);
	prune(t, &t->root6, peer);
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

static int walk(const struct wg_trie_node *n, sa_family_t family, const struct wg_peer *peer,
		int (*fn)(void *ctx, const struct kgw_cidr *cidr), void *ctx)
{
	struct kgw_cidr c;
	int ret;

	if (!n)
		return 0;
	if (n->peer == peer) {
		memset(&c, 0, sizeof(c));
		c.family = family;
		c.prefix = n->cidr;
		memcpy(c.addr, n->bits, 16);
		if ((ret = fn(ctx, &c)))
			return ret;
	}
	if ((ret = walk(n->child[0], family, peer, fn, ctx)))
		return ret;
	return walk(n->child[1], family, peer, fn, ctx);
}

int wg_allowedips_for_each(const struct wg_allowedips *t, const struct wg_peer *peer,
			   int (*fn)(void *ctx, const struct kgw_cidr *cidr), void *ctx)
{
	int ret = walk(t->root4, AF_INET, peer, fn, ctx);

	return ret ? ret : walk(t->root6, AF_INET6, peer, fn, ctx);
}
