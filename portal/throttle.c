/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "portal_limits.h"
#include "source.h"
#include "throttle.h"

#define NONE UINT32_MAX
#define KEY_MAX KGW_USER_NAME_MAX
#define SHIFT_MAX 16

_Static_assert(KEY_MAX >= KGW_SOURCE_KEY_MAX, "a source key must fit an entry");

struct entry {
	uint8_t key[KEY_MAX];
	uint8_t key_len;
	bool used;
	uint32_t count;		/* failures: in the window / consecutive */
	uint64_t first;		/* source: window start; user: last failure */
	uint64_t until;		/* user: locked until */
	uint32_t prev, next;	/* recency list, most recent first */
	uint32_t chain;		/* next in the hash bucket, or on the free list */
};

/*
 * A fixed-size hash table with a recency list. SipHash with a secret key
 * (crypto_shorthash) keeps an attacker from aiming keys at one bucket.
 */
struct table {
	struct entry *e;
	uint32_t *bucket;
	uint32_t cap, nbuckets, used;
	uint32_t head, tail;
	uint32_t free;		/* unused entries, linked through `chain' */
	uint8_t hkey[crypto_shorthash_KEYBYTES];
};

struct kgw_throttle {
	struct kgw_throttle_config cfg;
	struct table src, user;
};

struct key {
	uint8_t b[KEY_MAX];
	uint8_t len;
};

static int table_init(struct table *t, uint32_t cap, const uint8_t *hkey)
{
	t->cap = cap;
	t->nbuckets = 1;
	while (t->nbuckets < cap)
		t->nbuckets <<= 1;
	t->e = calloc(cap, sizeof(*t->e));
	t->bucket = malloc(t->nbuckets * sizeof(*t->bucket));
	if (!t->e || !t->bucket)
		return -1;
	for (uint32_t i = 0; i < t->nbuckets; i++)
		t->bucket[i] = NONE;
	t->head = t->tail = NONE;
	for (uint32_t i = 0; i < cap; i++)
		t->e[i].chain = i + 1 < cap ? i + 1 : NONE;
	t->free = 0;
	if (hkey)
		memcpy(t->hkey, hkey, sizeof(t->hkey));
	else
		crypto_shorthash_keygen(t->hkey);
	return 0;
}

static void table_free(struct table *t)
{
	if (t->e)
		sodium_memzero(t->e, t->cap * sizeof(*t->e));
	free(t->e);
	free(t->bucket);
}

static uint32_t bucket_of(const struct table *t, const struct key *k)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint32_t v;

	crypto_shorthash(h, k->b, k->len, t->hkey);
	memcpy(&v, h, sizeof(v));
	return v & (t->nbuckets - 1);
}

static void list_unlink(struct table *t, uint32_t i)
{
	struct entry *e = &t->e[i];

	if (e->prev != NONE)
		t->e[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next != NONE)
		t->e[e->next].prev = e->prev;
	else
		t->tail = e->prev;
}

static void list_push_head(struct table *t, uint32_t i)
{
	t->e[i].prev = NONE;
	t->e[i].next = t->head;
	if (t->head != NONE)
		t->e[t->head].prev = i;
	t->head = i;
	if (t->tail == NONE)
		t->tail = i;
}

static uint32_t table_find(const struct table *t, const struct key *k)
{
	for (uint32_t i = t->bucket[bucket_of(t, k)]; i != NONE; i = t->e[i].chain) {
		if (t->e[i].key_len == k->len && !memcmp(t->e[i].key, k->b, k->len))
			return i;
	}
	return NONE;
}

static void table_remove(struct table *t, uint32_t i)
{
	struct key k = { .len = t->e[i].key_len };
	uint32_t *link;

	memcpy(k.b, t->e[i].key, k.len);
	for (link = &t->bucket[bucket_of(t, &k)]; *link != i; link = &t->e[*link].chain)
		;
	*link = t->e[i].chain;
	list_unlink(t, i);
	memset(&t->e[i], 0, sizeof(t->e[i]));
	t->e[i].chain = t->free;
	t->free = i;
	t->used--;
}

typedef bool (*blocking_fn)(const struct kgw_throttle *th, const struct entry *e, uint64_t now);

/* The oldest entry that blocks nobody, else simply the oldest. */
static uint32_t victim(const struct kgw_throttle *th, const struct table *t, uint64_t now,
		       blocking_fn blocking)
{
	uint32_t i = t->tail;

	for (int n = 0; i != NONE && n < KGW_THROTTLE_EVICT_SCAN; n++, i = t->e[i].prev) {
		if (!blocking(th, &t->e[i], now))
			return i;
	}
	return t->tail;
}

static uint32_t table_get(const struct kgw_throttle *th, struct table *t, const struct key *k,
			  uint64_t now, blocking_fn blocking)
{
	uint32_t i = table_find(t, k), b;

	if (i != NONE) {
		list_unlink(t, i);
		list_push_head(t, i);
		return i;
	}
	if (t->used == t->cap)
		table_remove(t, victim(th, t, now, blocking));
	i = t->free;
	t->free = t->e[i].chain;
	memcpy(t->e[i].key, k->b, k->len);
	t->e[i].key_len = k->len;
	t->e[i].used = true;
	b = bucket_of(t, k);
	t->e[i].chain = t->bucket[b];
	t->bucket[b] = i;
	list_push_head(t, i);
	t->used++;
	return i;
}

/* ---- sources ---- */

static void source_key(const union kgw_sockaddr *src, struct key *k)
{
	struct kgw_source_key sk;

	kgw_source_key(src, &sk);
	memset(k, 0, sizeof(*k));
	memcpy(k->b, sk.b, sk.len);
	k->len = sk.len;
}

static void source_expire(const struct kgw_throttle *th, struct entry *e, uint64_t now)
{
	if (e->count && now >= e->first + th->cfg.source_window)
		e->count = 0;
}

static unsigned int source_wait(const struct kgw_throttle *th, const struct entry *e,
				uint64_t now)
{
	if (e->count < th->cfg.source_max_failures || now >= e->first + th->cfg.source_window)
		return 0;
	return (unsigned int)(e->first + th->cfg.source_window - now);
}

static bool source_blocking(const struct kgw_throttle *th, const struct entry *e, uint64_t now)
{
	return source_wait(th, e, now) > 0;
}

/* ---- users ---- */

static bool user_key(const char *user, struct key *k)
{
	size_t len = user ? strlen(user) : 0;

	memset(k, 0, sizeof(*k));
	if (!len)
		return false;
	/* Longer names are refused before this; cutting them keeps us safe anyway. */
	k->len = (uint8_t)(len < KEY_MAX ? len : KEY_MAX);
	/*
	 * "Alice" and "alice" share a budget: a directory behind PAM may not
	 * tell them apart, and guesses must not get a fresh budget per spelling.
	 */
	for (size_t i = 0; i < k->len; i++) {
		char ch = user[i];

		k->b[i] = (uint8_t)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	return true;
}

/* A day from the last failure, or from the end of the lock if that is later. */
static void user_expire(struct entry *e, uint64_t now)
{
	uint64_t last = e->until > e->first ? e->until : e->first;

	if (e->count && now >= last + KGW_THROTTLE_USER_FORGET) {
		e->count = 0;
		e->until = 0;
	}
}

static unsigned int user_wait(const struct entry *e, uint64_t now)
{
	return e->until > now ? (unsigned int)(e->until - now) : 0;
}

static bool user_blocking(const struct kgw_throttle *th, const struct entry *e, uint64_t now)
{
	(void)th;
	return user_wait(e, now) > 0;
}

static uint64_t user_lock_time(const struct kgw_throttle *th, uint32_t count)
{
	uint32_t extra = count - th->cfg.user_max_failures;
	uint64_t cap = KGW_THROTTLE_LOCKOUT_MAX, t;

	if (cap < th->cfg.user_lockout)
		cap = th->cfg.user_lockout;
	t = (uint64_t)th->cfg.user_lockout << (extra < SHIFT_MAX ? extra : SHIFT_MAX);
	return t < cap ? t : cap;
}

static void user_lock(const struct kgw_throttle *th, struct entry *e, uint64_t now)
{
	e->until = e->count >= th->cfg.user_max_failures ? now + user_lock_time(th, e->count) : 0;
}

/* ---- the interface ---- */

struct kgw_throttle *kgw_throttle_new(const struct kgw_throttle_config *cfg, size_t capacity,
				      const uint8_t *hash_key)
{
	struct kgw_throttle *t;

	if (!capacity || capacity > UINT32_MAX / 2 || !cfg->source_max_failures ||
	    !cfg->user_max_failures || sodium_init() < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	if (table_init(&t->src, (uint32_t)capacity, hash_key) ||
	    table_init(&t->user, (uint32_t)capacity, hash_key)) {
		kgw_throttle_free(t);
		return NULL;
	}
	return t;
}

void kgw_throttle_free(struct kgw_throttle *t)
{
	if (!t)
		return;
	table_free(&t->src);
	table_free(&t->user);
	free(t);
}

size_t kgw_throttle_size(const struct kgw_throttle *t)
{
	return (size_t)t->src.used + t->user.used;
}

/* Looks without creating: a client that is not blocked costs no entry yet. */
static unsigned int current_wait(struct kgw_throttle *t, const struct key *sk,
				 const struct key *uk, bool has_user, uint64_t now)
{
	unsigned int ws = 0, wu = 0;
	uint32_t i;

	if ((i = table_find(&t->src, sk)) != NONE) {
		source_expire(t, &t->src.e[i], now);
		ws = source_wait(t, &t->src.e[i], now);
	}
	if (has_user && (i = table_find(&t->user, uk)) != NONE) {
		user_expire(&t->user.e[i], now);
		wu = user_wait(&t->user.e[i], now);
	}
	return ws > wu ? ws : wu;
}

unsigned int kgw_throttle_begin(struct kgw_throttle *t, const union kgw_sockaddr *src,
				const char *user, uint64_t now)
{
	struct key sk, uk;
	bool has_user = user_key(user, &uk);
	unsigned int wait;
	struct entry *e;

	source_key(src, &sk);
	wait = current_wait(t, &sk, &uk, has_user, now);
	if (wait)
		return wait;
	e = &t->src.e[table_get(t, &t->src, &sk, now, source_blocking)];
	if (!e->count++)
		e->first = now;
	if (has_user) {
		e = &t->user.e[table_get(t, &t->user, &uk, now, user_blocking)];
		e->count++;
		e->first = now;
		user_lock(t, e, now);
	}
	return 0;
}

static void source_take_back(struct kgw_throttle *t, const union kgw_sockaddr *src, uint64_t now)
{
	struct key sk;
	uint32_t i;

	source_key(src, &sk);
	i = table_find(&t->src, &sk);
	if (i == NONE)
		return;
	source_expire(t, &t->src.e[i], now);
	if (t->src.e[i].count)
		t->src.e[i].count--;
}

void kgw_throttle_success(struct kgw_throttle *t, const union kgw_sockaddr *src,
			  const char *user, uint64_t now)
{
	struct key uk;
	uint32_t i;

	source_take_back(t, src, now);
	if (user_key(user, &uk) && (i = table_find(&t->user, &uk)) != NONE)
		table_remove(&t->user, i);
}

void kgw_throttle_cancel(struct kgw_throttle *t, const union kgw_sockaddr *src,
			 const char *user, uint64_t now)
{
	struct entry *e;
	struct key uk;
	uint32_t i;

	source_take_back(t, src, now);
	if (!user_key(user, &uk) || (i = table_find(&t->user, &uk)) == NONE)
		return;
	e = &t->user.e[i];
	if (e->count)
		e->count--;
	/*
	 * begin() let this attempt through, so no lock was on before it; one
	 * that stays justified by the remaining count is kept as it is.
	 */
	if (e->count < t->cfg.user_max_failures)
		e->until = 0;
}
