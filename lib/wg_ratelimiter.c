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
#define GRACE_COST (NSEC_PER_SEC / RATELIMIT_GRACE_PER_SECOND)
#define GRACE_MAX NSEC_PER_SEC		/* a second's worth of grace at once */
#define GRACE_INTERVAL_NS ((uint64_t)REKEY_TIMEOUT * NSEC_PER_SEC)
#define GRACE_QUIET_NS NSEC_PER_SEC	/* silence that makes a source look like a peer */

struct wg_ratelimiter_entry {
	struct kgw_hnode node;
	struct wg_ratelimiter_entry *next_free;
	uint64_t last_ns, tokens, grace_ns;
	uint8_t source[17];	/* family byte, then 4 or 8 address bytes */
	bool used, graced;
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
	rl->grace_tokens = GRACE_MAX;
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

/* Refills the bucket to now; returns how long the source was silent. */
static uint64_t refill(struct wg_ratelimiter_entry *e, uint64_t now_ns)
{
	uint64_t idle = now_ns > e->last_ns ? now_ns - e->last_ns : 0;
	uint64_t tokens = e->tokens + idle;

	e->tokens = tokens > TOKEN_MAX ? TOKEN_MAX : tokens;
	e->last_ns = now_ns;
	return idle;
}

/*
 * The source's entry, refilled to now, and in *idle how long it was silent
 * (UINT64_MAX for a new entry, with a full bucket). NULL: table full.
 */
static struct wg_ratelimiter_entry *entry(struct wg_ratelimiter *rl, sa_family_t family,
					  const uint8_t *addr, uint64_t now_ns, uint64_t *idle)
{
	struct wg_ratelimiter_entry *e;
	struct kgw_hnode *pos;
	uint8_t src[17], h[crypto_shorthash_BYTES];
	uint64_t hash;
	size_t len = source_key(src, family, addr);

	crypto_shorthash(h, src, len, rl->key);
	memcpy(&hash, h, sizeof(hash));
	kgw_htable_for_each_hash(&rl->table, pos, hash) {
		e = kgw_container_of(pos, struct wg_ratelimiter_entry, node);
		if (memcmp(e->source, src, sizeof(src)))
			continue;
		*idle = refill(e, now_ns);
		return e;
	}
	e = rl->free_list;
	if (!e)
		return NULL;	/* full: nobody new until the next collection */
	rl->free_list = e->next_free;
	memcpy(e->source, src, sizeof(src));
	e->last_ns = now_ns;
	e->tokens = TOKEN_MAX;
	e->used = true;
	e->graced = false;
	kgw_htable_insert(&rl->table, &e->node, hash);
	*idle = UINT64_MAX;
	return e;
}

bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, sa_family_t family, const uint8_t *addr, uint64_t now_ns)
{
	uint64_t idle;
	struct wg_ratelimiter_entry *e = entry(rl, family, addr, now_ns, &idle);

	if (!e || e->tokens < PACKET_COST)
		return false;
	e->tokens -= PACKET_COST;
	return true;
}

bool wg_ratelimiter_grace(struct wg_ratelimiter *rl, sa_family_t family, const uint8_t *addr, uint64_t now_ns)
{
	uint64_t budget, idle;
	struct wg_ratelimiter_entry *e = entry(rl, family, addr, now_ns, &idle);

	/* A flood's sources are never silent; a peer's first initiation follows silence. */
	if (!e || idle < GRACE_QUIET_NS || (e->graced && now_ns < e->grace_ns + GRACE_INTERVAL_NS))
		return false;
	budget = rl->grace_tokens + (now_ns > rl->grace_last_ns ? now_ns - rl->grace_last_ns : 0);
	rl->grace_tokens = budget > GRACE_MAX ? GRACE_MAX : budget;
	rl->grace_last_ns = now_ns;
	if (rl->grace_tokens < GRACE_COST)
		return false;
	rl->grace_tokens -= GRACE_COST;
	e->graced = true;
	e->grace_ns = now_ns;
	return true;
}

void wg_ratelimiter_gc(struct wg_ratelimiter *rl, uint64_t now_ns)
{
	for (size_t i = 0; i < rl->size; i++) {
		struct wg_ratelimiter_entry *e = &rl->pool[i];

		/* A source graced lately is kept: its grace must not renew early. */
		if (!e->used || now_ns < e->last_ns + NSEC_PER_SEC ||
		    (e->graced && now_ns < e->grace_ns + GRACE_INTERVAL_NS))
			continue;
		kgw_htable_remove(&rl->table, &e->node);
		e->used = false;
		e->next_free = rl->free_list;
		rl->free_list = e;
	}
}
