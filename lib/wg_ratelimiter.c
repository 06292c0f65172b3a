/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wg_messages.h"
#include "wg_ratelimiter.h"

#define NSEC_PER_SEC 1000000000ULL
#define PACKET_COST (NSEC_PER_SEC / RATELIMIT_PACKETS_PER_SECOND)
#define TOKEN_MAX (PACKET_COST * RATELIMIT_PACKETS_BURSTABLE)

struct wg_ratelimiter_entry {
	struct kgw_hnode node;
	struct wg_ratelimiter_entry *next_free;
	uint64_t last_ns, tokens;
	uint8_t source[17];	/* family byte, then 4 or 8 address bytes */
	bool used;
};

int wg_ratelimiter_init(struct wg_ratelimiter *rl, size_t entries, const uint8_t key[static 16])
{
	memset(rl, 0, sizeof(*rl));
	rl->pool = calloc(entries, sizeof(*rl->pool));
	if (!rl->pool || kgw_htable_init(&rl->table, entries)) {
		free(rl->pool);
		rl->pool = NULL;
		return -ENOMEM;
	}
	rl->size = entries;
	for (size_t i = 0; i < entries; i++) {
		rl->pool[i].next_free = rl->free_list;
		rl->free_list = &rl->pool[i];
	}
	memcpy(rl->key, key, sizeof(rl->key));
	return 0;
}

void wg_ratelimiter_free(struct wg_ratelimiter *rl)
{
	if (rl->pool)
		kgw_htable_free(&rl->table);
	free(rl->pool);
	sodium_memzero(rl, sizeof(*rl));
}

static size_t source_key(uint8_t out[17], sa_family_t family, const uint8_t *addr)
{
	memset(out, 0, 17);
	out[0] = (uint8_t)family;
	if (family == AF_INET) {
		memcpy(out + 1, addr, 4);
		return 5;
	}
	memcpy(out + 1, addr, RATELIMIT_IPV6_PREFIX / 8);
	return 1 + RATELIMIT_IPV6_PREFIX / 8;
}

bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, sa_family_t family, const uint8_t *addr, uint64_t now_ns)
{
	struct wg_ratelimiter_entry *e;
	struct kgw_hnode *pos;
	uint8_t src[17], h[crypto_shorthash_BYTES];
	uint64_t hash, tokens;
	size_t len = source_key(src, family, addr);

	crypto_shorthash(h, src, len, rl->key);
	memcpy(&hash, h, sizeof(hash));
	kgw_htable_for_each_hash(&rl->table, pos, hash) {
		e = kgw_container_of(pos, struct wg_ratelimiter_entry, node);
		if (memcmp(e->source, src, sizeof(src)))
			continue;
		tokens = e->tokens + (now_ns > e->last_ns ? now_ns - e->last_ns : 0);
		e->tokens = tokens > TOKEN_MAX ? TOKEN_MAX : tokens;
		e->last_ns = now_ns;
		if (e->tokens < PACKET_COST)
			return false;
		e->tokens -= PACKET_COST;
		return true;
	}
	e = rl->free_list;
	if (!e)
		return false;	/* full: nobody new until the next collection */
	rl->free_list = e->next_free;
	memcpy(e->source, src, sizeof(src));
	e->last_ns = now_ns;
	e->tokens = TOKEN_MAX - PACKET_COST;
	e->used = true;
	kgw_htable_insert(&rl->table, &e->node, hash);
	return true;
}

void wg_ratelimiter_gc(struct wg_ratelimiter *rl, uint64_t now_ns)
{
	for (size_t i = 0; i < rl->size; i++) {
		struct wg_ratelimiter_entry *e = &rl->pool[i];

		if (!e->used || now_ns < e->last_ns + NSEC_PER_SEC)
			continue;
		kgw_htable_remove(&rl->table, &e->node);
		e->used = false;
		e->next_free = rl->free_list;
		rl->free_list = e;
	}
}
