/* SPDX-License-Identifier: MIT */
/*
 * The per-packet state of the engine, each piece against a naive model:
 * the replay window (numbered cases in the manner of the kernel's
 * counter.c self-test, at our 8192-bit window, then 100k random
 * operations against a set of seen counters), cryptokey routing (random
 * prefixes and lookups against a linear longest-prefix match), the
 * handshake rate limiter with a driven clock, and the timer rules.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "wg_allowedips.h"
#include "wg_ratelimiter.h"
#include "wg_replay.h"
#include "wg_timers.h"

/* splitmix64: a fixed, seedable stream, so a failure can be replayed. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* ---- replay window ---- */

enum {
	W = COUNTER_WINDOW_SIZE,	/* counters kept behind the newest */
};

#define R REJECT_AFTER_MESSAGES

/*
 * One window, fed in this order. `W' back from the greatest counter seen
 * is still inside; one more is not.
 */
static const struct {
	uint64_t counter;
	bool ok;
} replay_cases[] = {
	/*  0 */ { 0, true },
	/*  1 */ { 0, false },			/* duplicate */
	/*  2 */ { 1, true },
	/*  3 */ { 1, false },
	/*  4 */ { 9, true },			/* skipping ahead */
	/*  5 */ { 8, true },			/* late, inside the window */
	/*  6 */ { 7, true },
	/*  7 */ { 7, false },
	/*  8 */ { W + 9, true },		/* 9 is now exactly at the edge */
	/*  9 */ { 9, false },			/* at the edge, but seen */
	/* 10 */ { 8, false },			/* one past the edge */
	/* 11 */ { 10, true },			/* inside, unseen */
	/* 12 */ { 2, false },			/* behind the window */
	/* 13 */ { W + 8, true },
	/* 14 */ { W + 8, false },
	/* 15 */ { W + 74, true },		/* into the next word */
	/* 16 */ { 4 * W, true },		/* a jump past a whole window */
	/* 17 */ { 3 * W, true },		/* the exact edge after the jump */
	/* 18 */ { 3 * W - 1, false },		/* one past it */
	/* 19 */ { W + 74, false },		/* far behind */
	/* 20 */ { 4 * W - 1, true },
	/* 21 */ { 4 * W, false },
	/* 22 */ { 4 * W + 1, true },
	/* 23 */ { 0, false },
	/* 24 */ { R - 1, true },		/* the last counter a key may use */
	/* 25 */ { R, false },			/* REJECT_AFTER_MESSAGES itself */
	/* 26 */ { R - 1, false },
	/* 27 */ { R + 1, false },
	/* 28 */ { UINT64_MAX, false },
	/* 29 */ { R - 2, true },
	/* 30 */ { R - 1 - W, true },		/* the edge below the last counter */
	/* 31 */ { R - 2 - W, false },
	/* 32 */ { R - 3, true },
	/* 33 */ { 0, false },
};

/*
 * The model: a counter is accepted when it is below REJECT_AFTER_MESSAGES,
 * not more than W behind the greatest accepted one, and never accepted
 * before. A set of every accepted counter, open addressing.
 */
#define MODEL_SLOTS (1u << 18)

struct replay_model {
	uint64_t *slot;		/* counter + 1; 0 = empty */
	size_t used;
	uint64_t max;
	bool any;
};

static bool model_seen(struct replay_model *m, uint64_t c, bool insert)
{
	size_t i = (size_t)((c * 0x9e3779b97f4a7c15ULL) >> 46) & (MODEL_SLOTS - 1);

	for (; m->slot[i]; i = (i + 1) & (MODEL_SLOTS - 1))
		if (m->slot[i] == c + 1)
			return true;
	if (insert) {
		ck_assert_uint_lt(++m->used, MODEL_SLOTS / 2);
		m->slot[i] = c + 1;
	}
	return false;
}

static bool model_check(struct replay_model *m, uint64_t c)
{
	if (c >= R || (m->any && c + W < m->max) || model_seen(m, c, false))
		return false;
	model_seen(m, c, true);
	if (!m->any || c > m->max)
		m->max = c;
	m->any = true;
	return true;
}

static void model_init(struct replay_model *m)
{
	memset(m, 0, sizeof(*m));
	m->slot = calloc(MODEL_SLOTS, sizeof(*m->slot));
	ck_assert_ptr_nonnull(m->slot);
}

START_TEST(test_replay_cases)
{
	struct wg_replay r;
	struct replay_model m;

	ck_assert_int_eq(W, 8128);
	wg_replay_init(&r);
	model_init(&m);
	for (size_t i = 0; i < ARRAY_SIZE(replay_cases); i++) {
		bool got = wg_replay_check(&r, replay_cases[i].counter);

		ck_assert_msg(got == replay_cases[i].ok, "case %zu: counter %llu: got %d", i,
			      (unsigned long long)replay_cases[i].counter, got);
		/* The table and the model say the same. */
		ck_assert_msg(model_check(&m, replay_cases[i].counter) == replay_cases[i].ok, "model, case %zu", i);
	}
	free(m.slot);
}
END_TEST

/* Whole windows, up and down, and the edge at every alignment in a word. */
START_TEST(test_replay_sweeps)
{
	struct wg_replay r;

	/* 1..W in order, then 0 is exactly W behind: accepted once. */
	wg_replay_init(&r);
	for (uint64_t i = 1; i <= W; i++)
		ck_assert(wg_replay_check(&r, i));
	ck_assert(wg_replay_check(&r, 0));
	ck_assert(!wg_replay_check(&r, 0));
	for (uint64_t i = 1; i <= W; i++)
		ck_assert(!wg_replay_check(&r, i));

	/* 2..W+1, then 1 is the edge and 0 beyond it. */
	wg_replay_init(&r);
	for (uint64_t i = 2; i <= W + 1; i++)
		ck_assert(wg_replay_check(&r, i));
	ck_assert(wg_replay_check(&r, 1));
	ck_assert(!wg_replay_check(&r, 0));

	/* Downwards from W+1: each one late but inside. */
	wg_replay_init(&r);
	for (uint64_t i = W + 1; i >= 1; i--)
		ck_assert(wg_replay_check(&r, i));
	ck_assert(!wg_replay_check(&r, 0));

	/* The edge, with the newest counter at each bit of a word and across words. */
	for (uint64_t top = 3 * W; top < 3 * W + 130; top++) {
		wg_replay_init(&r);
		ck_assert(wg_replay_check(&r, top));
		ck_assert_msg(wg_replay_check(&r, top - W), "top %llu", (unsigned long long)top);
		ck_assert_msg(!wg_replay_check(&r, top - W - 1), "top %llu", (unsigned long long)top);
		ck_assert(!wg_replay_check(&r, top - W));
		ck_assert(!wg_replay_check(&r, top));
	}

	/* A long stream in order, each counter once; then all of the window is seen. */
	wg_replay_init(&r);
	for (uint64_t i = 0; i < 100000; i++)
		ck_assert(wg_replay_check(&r, i));
	for (uint64_t i = 100000 - W - 10; i < 100000; i++)
		ck_assert(!wg_replay_check(&r, i));
}
END_TEST

/*
 * 100k random operations against the model: mostly near the front, some
 * late, some replays, some jumps beyond the window. _i = 0 starts at 0,
 * _i = 1 just below REJECT_AFTER_MESSAGES, where the end of the key's
 * life is reached on the way.
 */
START_TEST(test_replay_random)
{
	struct wg_replay r;
	struct replay_model m;
	uint64_t front = _i ? R - 400000 : 0, c, accepted = 0;

	rng_state = 0x5eed0000 + (uint64_t)_i;
	wg_replay_init(&r);
	model_init(&m);
	for (int op = 0; op < 100000; op++) {
		switch (rnd_below(8)) {
		case 0: case 1: case 2:
			c = front + rnd_below(64);		/* slightly ahead */
			break;
		case 3: case 4:
			c = front - rnd_below(W + 256 < front ? W + 256 : front + 1);	/* late or too old */
			break;
		case 5:
			c = front > (uint64_t)W ? front - W + rnd_below(3) - 1 : front;	/* the edge */
			break;
		case 6:
			c = front + W + rnd_below(3 * W);	/* a jump */
			break;
		default:
			c = front - rnd_below(front < 8 ? front + 1 : 8);	/* a replay of something recent */
			break;
		}
		bool want = model_check(&m, c), got = wg_replay_check(&r, c);

		ck_assert_msg(got == want, "op %d: counter %llu (max %llu): got %d want %d", op,
			      (unsigned long long)c, (unsigned long long)m.max, got, want);
		accepted += got;
		if (m.any && m.max > front)
			front = m.max;
	}
	/* The model and the window did real work, not only refusals. */
	ck_assert_uint_gt(accepted, _i ? 100 : 20000);
	free(m.slot);
}
END_TEST

/* ---- allowed IPs ---- */

#define NPEERS 16
static char peer_objs[NPEERS];
#define PEER(i) ((struct wg_peer *)(void *)&peer_objs[i])

struct route {
	struct kgw_cidr cidr;
	int peer;
};

/* The model: a list of prefixes with their owners, searched linearly. */
struct route_model {
	struct route *r;
	size_t n, cap;
};

static void mask_cidr(struct kgw_cidr *c)
{
	unsigned int bits = c->family == AF_INET ? 32 : 128;

	for (unsigned int b = c->prefix; b < bits; b++)
		c->addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
}

static void model_insert(struct route_model *m, const struct kgw_cidr *in, int peer)
{
	struct kgw_cidr c = *in;

	mask_cidr(&c);
	for (size_t i = 0; i < m->n; i++) {
		if (m->r[i].cidr.family == c.family && m->r[i].cidr.prefix == c.prefix &&
		    !memcmp(m->r[i].cidr.addr, c.addr, 16)) {
			m->r[i].peer = peer;
			return;
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->r = realloc(m->r, m->cap * sizeof(*m->r));
		ck_assert_ptr_nonnull(m->r);
	}
	m->r[m->n].cidr = c;
	m->r[m->n++].peer = peer;
}

static void model_remove(struct route_model *m, int peer)
{
	size_t j = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].peer != peer)
			m->r[j++] = m->r[i];
	m->n = j;
}

static struct wg_peer *model_lookup(const struct route_model *m, sa_family_t family, const uint8_t *addr)
{
	int best = -1, best_prefix = -1;

	for (size_t i = 0; i < m->n; i++) {
		if (kgw_cidr_contains(&m->r[i].cidr, family, addr) && m->r[i].cidr.prefix > best_prefix) {
			best_prefix = m->r[i].cidr.prefix;
			best = m->r[i].peer;
		}
	}
	return best < 0 ? NULL : PEER(best);
}

struct collected {
	struct kgw_cidr c[8192];
	size_t n;
	bool v6_seen;
	bool order_ok;
};

static int collect(void *ctx, const struct kgw_cidr *cidr)
{
	struct collected *col = ctx;

	ck_assert_uint_lt(col->n, ARRAY_SIZE(col->c));
	if (cidr->family == AF_INET6)
		col->v6_seen = true;
	else if (col->v6_seen)
		col->order_ok = false;	/* IPv4 after IPv6 */
	col->c[col->n++] = *cidr;
	return 0;
}

static int cidr_cmp(const void *a, const void *b)
{
	const struct kgw_cidr *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

/* for_each(peer) yields exactly the model's prefixes of that peer. */
static void assert_for_each(const struct wg_allowedips *t, const struct route_model *m, int peer)
{
	static struct collected got, want;

	memset(&got, 0, sizeof(got));
	memset(&want, 0, sizeof(want));
	got.order_ok = true;
	ck_assert_int_eq(wg_allowedips_for_each(t, PEER(peer), collect, &got), 0);
	ck_assert(got.order_ok);
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].peer == peer)
			want.c[want.n++] = m->r[i].cidr;
	ck_assert_uint_eq(got.n, want.n);
	qsort(got.c, got.n, sizeof(got.c[0]), cidr_cmp);
	qsort(want.c, want.n, sizeof(want.c[0]), cidr_cmp);
	for (size_t i = 0; i < got.n; i++)
		ck_assert_msg(!cidr_cmp(&got.c[i], &want.c[i]), "peer %d prefix %zu differs", peer, i);
}

static void cidr(struct kgw_cidr *c, const char *text)
{
	ck_assert_int_eq(kgw_cidr_parse(text, false, c), 0);
}

static void addr_of(sa_family_t family, const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	ck_assert_int_eq(inet_pton(family, text, out), 1);
}

static struct wg_allowedips table;

static void aip_setup(void)
{
	wg_allowedips_init(&table);
}

static void aip_teardown(void)
{
	wg_allowedips_free(&table);
}

START_TEST(test_aip_basics)
{
	struct kgw_cidr c;
	uint8_t a[16];

	cidr(&c, "10.0.0.0/8");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	cidr(&c, "10.1.0.0/16");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(2)), 0);
	cidr(&c, "10.1.2.3/32");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(3)), 0);
	addr_of(AF_INET, "10.200.0.1", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(1));
	addr_of(AF_INET, "10.1.99.1", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(2));
	addr_of(AF_INET, "10.1.2.3", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(3));
	addr_of(AF_INET, "10.1.2.4", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(2));
	addr_of(AF_INET, "11.0.0.1", a);
	ck_assert_ptr_null(wg_allowedips_lookup(&table, AF_INET, a));
	/* The same bytes as IPv6 are another address. */
	memset(a, 0, 16);
	a[0] = 10;
	ck_assert_ptr_null(wg_allowedips_lookup(&table, AF_INET6, a));
	/* Removing the middle prefix lets the wider one show through. */
	wg_allowedips_remove_by_peer(&table, PEER(2));
	addr_of(AF_INET, "10.1.99.1", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(1));
	addr_of(AF_INET, "10.1.2.3", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(3));
	/* An unknown family finds nothing. */
	ck_assert_ptr_null(wg_allowedips_lookup(&table, AF_UNIX, a));
}
END_TEST

START_TEST(test_aip_host_bits_ignored)
{
	struct kgw_cidr c;
	struct collected *col = calloc(1, sizeof(*col));
	char buf[KGW_ADDR_STR_MAX];
	uint8_t a[16];
	size_t nodes;

	ck_assert_ptr_nonnull(col);
	/* Built by hand: kgw_cidr_parse would already clear them. */
	memset(&c, 0, sizeof(c));
	c.family = AF_INET;
	c.prefix = 8;
	addr_of(AF_INET, "10.1.2.3", c.addr);
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	c.family = AF_INET6;
	c.prefix = 20;
	addr_of(AF_INET6, "fd00:ffff:ffff::1", c.addr);
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	col->order_ok = true;
	ck_assert_int_eq(wg_allowedips_for_each(&table, PEER(1), collect, col), 0);
	ck_assert_uint_eq(col->n, 2);
	ck_assert_str_eq(kgw_cidr_format(&col->c[0], buf), "10.0.0.0/8");
	ck_assert_str_eq(kgw_cidr_format(&col->c[1], buf), "fd00:f000::/20");
	addr_of(AF_INET, "10.255.255.255", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(1));
	addr_of(AF_INET6, "fd00:ffff::", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET6, a), PEER(1));
	addr_of(AF_INET6, "fd00:efff::", a);
	ck_assert_ptr_null(wg_allowedips_lookup(&table, AF_INET6, a));
	/* Inserting 10.9.9.9/8 is the same prefix: no new node. */
	nodes = table.nodes;
	cidr(&c, "10.9.9.9/8");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	ck_assert_uint_eq(table.nodes, nodes);
	free(col);
}
END_TEST

START_TEST(test_aip_default_routes)
{
	struct kgw_cidr c;
	uint8_t a[16];

	cidr(&c, "0.0.0.0/0");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	addr_of(AF_INET, "203.0.113.7", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(1));
	addr_of(AF_INET, "0.0.0.0", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(1));
	addr_of(AF_INET, "255.255.255.255", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(1));
	addr_of(AF_INET6, "2001:db8::1", a);
	ck_assert_ptr_null(wg_allowedips_lookup(&table, AF_INET6, a));
	cidr(&c, "::/0");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(2)), 0);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET6, a), PEER(2));
	cidr(&c, "2001:db8::1/128");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(3)), 0);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET6, a), PEER(3));
	addr_of(AF_INET6, "2001:db8::2", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET6, a), PEER(2));
	addr_of(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET6, a), PEER(2));
	/* /0 moves to another peer like any prefix. */
	cidr(&c, "0.0.0.0/0");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(4)), 0);
	addr_of(AF_INET, "1.1.1.1", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(4));
	wg_allowedips_remove_by_peer(&table, PEER(1));
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(4));
}
END_TEST

START_TEST(test_aip_reinsert_moves)
{
	struct route_model m = { 0 };
	struct kgw_cidr c;
	uint8_t a[16];

	cidr(&c, "192.0.2.0/24");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	model_insert(&m, &c, 1);
	cidr(&c, "192.0.2.128/25");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	model_insert(&m, &c, 1);
	cidr(&c, "192.0.2.0/24");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(2)), 0);
	model_insert(&m, &c, 2);
	addr_of(AF_INET, "192.0.2.1", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(2));
	assert_for_each(&table, &m, 1);
	assert_for_each(&table, &m, 2);
	ck_assert(wg_allowedips_valid(&table));
	/* Removing the old owner leaves the moved prefix alone. */
	wg_allowedips_remove_by_peer(&table, PEER(1));
	model_remove(&m, 1);
	addr_of(AF_INET, "192.0.2.200", a);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a), PEER(2));
	assert_for_each(&table, &m, 2);
	ck_assert(wg_allowedips_valid(&table));
	free(m.r);
}
END_TEST

START_TEST(test_aip_bad_insert)
{
	struct kgw_cidr c;

	cidr(&c, "10.0.0.0/8");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, NULL), -EINVAL);
	c.prefix = 33;
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), -EINVAL);
	c.family = AF_INET6;
	c.prefix = 129;
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), -EINVAL);
	c.family = AF_UNIX;
	c.prefix = 8;
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), -EINVAL);
	ck_assert_uint_eq(table.nodes, 0);
	ck_assert_ptr_null(table.root4);
	ck_assert_ptr_null(table.root6);
}
END_TEST

/* A branch point left with one child goes; the tree stays as small as its prefixes. */
START_TEST(test_aip_prune)
{
	struct kgw_cidr c;

	cidr(&c, "10.0.0.0/24");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	cidr(&c, "10.0.1.0/24");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(2)), 0);
	ck_assert_uint_eq(table.nodes, 3);	/* two prefixes under a /23 branch point */
	cidr(&c, "10.0.0.128/25");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(3)), 0);
	ck_assert_uint_eq(table.nodes, 4);
	wg_allowedips_remove_by_peer(&table, PEER(2));
	ck_assert_uint_eq(table.nodes, 2);
	wg_allowedips_remove_by_peer(&table, PEER(1));
	ck_assert_uint_eq(table.nodes, 1);
	wg_allowedips_remove_by_peer(&table, PEER(3));
	ck_assert_uint_eq(table.nodes, 0);
	ck_assert_ptr_null(table.root4);
}
END_TEST

/* Lookups read only the 4 or 16 bytes of the address (ASan checks, with exact-size buffers). */
START_TEST(test_aip_exact_size_addresses)
{
	uint8_t *a4 = malloc(4), *a6 = malloc(16);
	struct kgw_cidr c;

	ck_assert_ptr_nonnull(a4);
	ck_assert_ptr_nonnull(a6);
	cidr(&c, "192.0.2.1/32");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	cidr(&c, "192.0.2.0/31");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(2)), 0);
	cidr(&c, "2001:db8::1/128");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(3)), 0);
	ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.1", a4), 1);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a4), PEER(1));
	a4[3] = 0;
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET, a4), PEER(2));
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::1", a6), 1);
	ck_assert_ptr_eq(wg_allowedips_lookup(&table, AF_INET6, a6), PEER(3));
	free(a4);
	free(a6);
}
END_TEST

static int stop_after_one(void *ctx, const struct kgw_cidr *c)
{
	(void)c;
	++*(int *)ctx;
	return 42;
}

START_TEST(test_aip_for_each_stops)
{
	struct kgw_cidr c;
	int calls = 0;

	cidr(&c, "10.0.0.0/8");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	cidr(&c, "fd00::/8");
	ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(1)), 0);
	ck_assert_int_eq(wg_allowedips_for_each(&table, PEER(1), stop_after_one, &calls), 42);
	ck_assert_int_eq(calls, 1);
	/* A peer with no prefixes: nothing is called. */
	ck_assert_int_eq(wg_allowedips_for_each(&table, PEER(2), stop_after_one, &calls), 0);
	ck_assert_int_eq(calls, 1);
}
END_TEST

/* A random address near one of a few bases, so prefixes nest and overlap. */
static void random_addr(sa_family_t family, const uint8_t bases[8][16], uint8_t out[16])
{
	unsigned int bits = family == AF_INET ? 32 : 128;
	unsigned int keep = (unsigned int)rnd_below(bits + 1);

	memcpy(out, bases[rnd_below(8)], 16);
	for (unsigned int b = keep; b < bits; b++)
		if (rnd() & 1)
			out[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
	if (family == AF_INET)
		memset(out + 4, 0, 12);
}

/*
 * Thousands of random inserts (with re-inserts that move prefixes),
 * lookups and removals in both families against the model; every
 * peer's prefixes checked through for_each; and in the end, with every
 * peer removed, not one node left. _i picks the seed.
 */
START_TEST(test_aip_random)
{
	struct route_model m = { 0 };
	uint8_t bases4[8][16], bases6[8][16], a[16];
	struct kgw_cidr c;
	unsigned int lookups = 0, hits = 0;

	rng_state = 0xa11e0000 + (uint64_t)_i;
	for (int i = 0; i < 8; i++) {
		for (int j = 0; j < 16; j++) {
			bases4[i][j] = (uint8_t)rnd();
			bases6[i][j] = (uint8_t)rnd();
		}
	}
	for (int round = 0; round < 5; round++) {
		for (int n = 0; n < 1500; n++) {
			sa_family_t family = rnd() & 1 ? AF_INET6 : AF_INET;
			unsigned int bits = family == AF_INET ? 32 : 128;
			int peer = (int)rnd_below(NPEERS);

			memset(&c, 0, sizeof(c));
			c.family = family;
			random_addr(family, family == AF_INET ? bases4 : bases6, c.addr);
			/* Mostly long prefixes, some short, a few /0. */
			c.prefix = (uint8_t)(rnd_below(4) ? bits - rnd_below(bits / 4 + 1) : rnd_below(bits + 1));
			ck_assert_int_eq(wg_allowedips_insert(&table, &c, PEER(peer)), 0);
			model_insert(&m, &c, peer);
		}
		for (int n = 0; n < 4000; n++) {
			sa_family_t family = rnd() & 1 ? AF_INET6 : AF_INET;
			struct wg_peer *want;

			random_addr(family, family == AF_INET ? bases4 : bases6, a);
			want = model_lookup(&m, family, a);
			ck_assert_msg(wg_allowedips_lookup(&table, family, a) == want, "round %d lookup %d", round, n);
			lookups++;
			hits += want != NULL;
		}
		/* Also exactly at every stored prefix's first address. */
		for (size_t i = 0; i < m.n; i++)
			ck_assert(wg_allowedips_lookup(&table, m.r[i].cidr.family, m.r[i].cidr.addr) ==
				  model_lookup(&m, m.r[i].cidr.family, m.r[i].cidr.addr));
		for (int p = 0; p < NPEERS; p++)
			assert_for_each(&table, &m, p);
		/* Two peers leave each round. */
		for (int k = 0; k < 2; k++) {
			int p = (int)rnd_below(NPEERS);

			wg_allowedips_remove_by_peer(&table, PEER(p));
			model_remove(&m, p);
		}
		/* A trie needs at most one branch node per prefix. */
		ck_assert_uint_le(table.nodes, 2 * m.n);
		ck_assert(wg_allowedips_valid(&table));
	}
	/* The lookups found something most of the time: the test is not vacuous. */
	ck_assert_uint_gt(hits, lookups / 2);
	for (int p = 0; p < NPEERS; p++) {
		wg_allowedips_remove_by_peer(&table, PEER(p));
		model_remove(&m, p);
		assert_for_each(&table, &m, (p + 1) % NPEERS);
		ck_assert(wg_allowedips_valid(&table));
	}
	ck_assert_uint_eq(m.n, 0);
	ck_assert_uint_eq(table.nodes, 0);
	ck_assert_ptr_null(table.root4);
	ck_assert_ptr_null(table.root6);
	free(m.r);
}
END_TEST

/* ---- rate limiter ---- */

#define NS 1000000000ULL
#define COST (NS / RATELIMIT_PACKETS_PER_SECOND)

static struct wg_ratelimiter rl;
static const uint8_t rl_key[16] = { 1, 2, 3 };

static void rl_setup(void)
{
	ck_assert_int_eq(wg_ratelimiter_init(&rl, 64, rl_key), 0);
}

static void rl_teardown(void)
{
	wg_ratelimiter_free(&rl);
}

static bool allow4(const char *ip, uint64_t now)
{
	uint8_t a[16];

	addr_of(AF_INET, ip, a);
	return wg_ratelimiter_allow(&rl, AF_INET, a, now);
}

static bool allow6(const char *ip, uint64_t now)
{
	uint8_t a[16];

	addr_of(AF_INET6, ip, a);
	return wg_ratelimiter_allow(&rl, AF_INET6, a, now);
}

/* How many of `n' packets at `now' get through. */
static int burst4(const char *ip, int n, uint64_t now)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += allow4(ip, now);
	return ok;
}

START_TEST(test_rl_burst_then_refill)
{
	const uint64_t t = 100 * NS;

	/* RATELIMIT_PACKETS_BURSTABLE at once, then no more. */
	for (int i = 0; i < RATELIMIT_PACKETS_BURSTABLE; i++)
		ck_assert_msg(allow4("192.0.2.1", t), "packet %d", i);
	ck_assert(!allow4("192.0.2.1", t));
	ck_assert(!allow4("192.0.2.1", t + COST - 1));
	/* One packet's worth of time buys one packet. */
	ck_assert(allow4("192.0.2.1", t + COST));
	ck_assert(!allow4("192.0.2.1", t + COST));
	/* After a long pause the bucket holds a burst again, not more. */
	ck_assert_int_eq(burst4("192.0.2.1", 20, t + 60 * NS), RATELIMIT_PACKETS_BURSTABLE);
	/* Another source has its own bucket. */
	ck_assert_int_eq(burst4("192.0.2.2", 20, t), RATELIMIT_PACKETS_BURSTABLE);
}
END_TEST

/* A steady flood gets RATELIMIT_PACKETS_PER_SECOND through, after the first burst. */
START_TEST(test_rl_steady_rate)
{
	const uint64_t t = 100 * NS, step = NS / 1000;
	int ok = 0;

	for (uint64_t now = t; now < t + 10 * NS; now += step)
		ok += allow4("198.51.100.7", now);
	/* 10 s at 20/s, plus the burst the bucket started with (less the one refill of t itself). */
	ck_assert_int_ge(ok, 10 * RATELIMIT_PACKETS_PER_SECOND + RATELIMIT_PACKETS_BURSTABLE - 1);
	ck_assert_int_le(ok, 10 * RATELIMIT_PACKETS_PER_SECOND + RATELIMIT_PACKETS_BURSTABLE);
}
END_TEST

START_TEST(test_rl_ipv6_prefix)
{
	const uint64_t t = 100 * NS;
	int ok = 0;

	/* Sources in one /64 share one bucket. */
	for (int i = 0; i < 20; i++) {
		char ip[64];

		snprintf(ip, sizeof(ip), "2001:db8:1:2:%x::%x", i * 0x800, i + 1);
		ok += allow6(ip, t);
	}
	ck_assert_int_eq(ok, RATELIMIT_PACKETS_BURSTABLE);
	/* The next /64 does not. */
	ck_assert(allow6("2001:db8:1:3::1", t));
	ck_assert(allow6("2001:db8:1:2:ffff:ffff:ffff:ffff", t) == false);
	/* IPv4 192.0.2.1 and an IPv6 address starting with the same bytes are distinct. */
	for (int i = 0; i < RATELIMIT_PACKETS_BURSTABLE; i++)
		ck_assert(allow6("c000:201::", t));
	ck_assert(!allow6("c000:201::", t));
	ck_assert(allow4("192.0.2.1", t));
}
END_TEST

/* A table of 4: full, new sources wait; gc frees the idle ones only. */
START_TEST(test_rl_full_and_gc)
{
	const uint64_t t = 100 * NS;
	size_t buckets;

	wg_ratelimiter_free(&rl);
	ck_assert_int_eq(wg_ratelimiter_init(&rl, 4, rl_key), 0);
	buckets = rl.table.mask + 1;
	ck_assert(allow4("10.0.0.1", t));
	ck_assert(allow4("10.0.0.2", t));
	ck_assert(allow4("10.0.0.3", t));
	ck_assert(allow4("10.0.0.4", t + NS / 2));
	/* Full: a new source is refused, again and again, and nothing grows. */
	for (int i = 5; i < 200; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250 + 5);
		ck_assert(!allow4(ip, t + NS / 2));
	}
	ck_assert_uint_eq(rl.table.count, 4);
	ck_assert_uint_eq(rl.table.mask + 1, buckets);
	/* Known sources still go through while the table is full. */
	ck_assert(allow4("10.0.0.1", t + NS / 2));
	/* 10.0.0.4 drains its bucket just before the collection. */
	ck_assert_int_eq(burst4("10.0.0.4", 10, t + NS - 1), RATELIMIT_PACKETS_BURSTABLE);
	wg_ratelimiter_gc(&rl, t + NS);
	/* 10.0.0.2 and .3 were idle a full second: gone; .1 was seen at t + 0.5 s: kept. */
	ck_assert_uint_eq(rl.table.count, 2);
	ck_assert(allow4("10.0.0.9", t + NS));
	ck_assert(allow4("10.0.0.10", t + NS));
	ck_assert(!allow4("10.0.0.11", t + NS));
	/* 10.0.0.4 was kept with its empty bucket, not recreated with a full one. */
	ck_assert(!allow4("10.0.0.4", t + NS));
	/* Everything idle: all freed. */
	wg_ratelimiter_gc(&rl, t + 10 * NS);
	ck_assert_uint_eq(rl.table.count, 0);
	ck_assert_int_eq(burst4("10.0.0.4", 10, t + 10 * NS), RATELIMIT_PACKETS_BURSTABLE);
}
END_TEST

static bool grace4(const char *ip, uint64_t now)
{
	uint8_t a[16];

	addr_of(AF_INET, ip, a);
	return wg_ratelimiter_grace(&rl, AF_INET, a, now);
}

/* Grace for a source after a second of silence, once per REKEY_TIMEOUT. */
START_TEST(test_rl_grace_per_source)
{
	const uint64_t t = 100 * NS, rekey = REKEY_TIMEOUT * NS;

	ck_assert(grace4("192.0.2.1", t));
	ck_assert(!grace4("192.0.2.1", t));
	/* A real initiator retries after REKEY_TIMEOUT (plus jitter): served again. */
	ck_assert(grace4("192.0.2.1", t + rekey));
	/* Silent again, but graced within REKEY_TIMEOUT: no. */
	ck_assert(!grace4("192.0.2.1", t + rekey + 2 * NS));
	/* A source that never falls silent (a flood's) gets its first only. */
	ck_assert(grace4("198.18.0.1", t));
	for (uint64_t now = t + NS / 2; now < t + 30 * NS; now += NS / 2)
		ck_assert(!grace4("198.18.0.1", now));
	/* Grace does not take from the source's rate-limit bucket... */
	ck_assert_int_eq(burst4("192.0.2.1", 20, t + 20 * NS), RATELIMIT_PACKETS_BURSTABLE);
	/* ... nor the bucket from grace: a source that drained it has its one. */
	ck_assert_int_eq(burst4("192.0.2.2", 20, t), RATELIMIT_PACKETS_BURSTABLE);
	ck_assert(grace4("192.0.2.2", t + NS));
	/* Idle for a second, it stays known until its grace may renew. */
	wg_ratelimiter_gc(&rl, t + 3 * NS);
	ck_assert(!grace4("192.0.2.2", t + 3 * NS));
	wg_ratelimiter_gc(&rl, t + rekey + 5 * NS);
	ck_assert(grace4("192.0.2.2", t + rekey + 5 * NS));
}
END_TEST

/* Fresh sources at once (a spoofed flood): the device-wide budget caps them. */
START_TEST(test_rl_grace_budget)
{
	const uint64_t t = 100 * NS;
	int ok = 0;

	wg_ratelimiter_free(&rl);
	ck_assert_int_eq(wg_ratelimiter_init(&rl, 4096, rl_key), 0);
	for (int i = 0; i < 1000; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "198.18.%d.%d", i / 250, i % 250 + 1);
		ok += grace4(ip, t);
	}
	ck_assert_int_eq(ok, RATELIMIT_GRACE_PER_SECOND);
	/* The budget comes back at RATELIMIT_GRACE_PER_SECOND. */
	ck_assert(!grace4("203.0.113.1", t + NS / RATELIMIT_GRACE_PER_SECOND - 1));
	ck_assert(grace4("203.0.113.2", t + NS / RATELIMIT_GRACE_PER_SECOND));
	ck_assert(!grace4("203.0.113.3", t + NS / RATELIMIT_GRACE_PER_SECOND));
	/* A full table gives no grace to a new source. */
	wg_ratelimiter_free(&rl);
	ck_assert_int_eq(wg_ratelimiter_init(&rl, 2, rl_key), 0);
	ck_assert(allow4("10.0.0.1", t));
	ck_assert(allow4("10.0.0.2", t));
	ck_assert(!grace4("10.0.0.3", t));
	ck_assert(grace4("10.0.0.1", t + NS));
}
END_TEST

/* ---- timers ---- */

#define S 1000ULL

static const uint64_t tnow = 500 * S;

START_TEST(test_timers_handshake_retry)
{
	struct wg_timers t;
	unsigned int act, initiations = 1;
	uint64_t now = tnow;

	wg_timers_init(&t);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), UINT64_MAX);
	wg_timers_reseed(&t, 1000);
	ck_assert_uint_lt(t.jitter_ms, REKEY_TIMEOUT_JITTER_MAX_MS);
	wg_timers_handshake_initiated(&t, now, false);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), now + REKEY_TIMEOUT * S + t.jitter_ms);
	/* Nothing is due a millisecond early. */
	ck_assert_uint_eq(wg_timers_expire(&t, wg_timers_next_deadline(&t) - 1, 7), 0);
	for (;;) {
		now = wg_timers_next_deadline(&t);
		ck_assert_uint_ne(now, UINT64_MAX);
		act = wg_timers_expire(&t, now, (uint32_t)now);
		if (act & WG_TIMER_GIVE_UP_HANDSHAKE)
			break;
		ck_assert(act & WG_TIMER_SEND_HANDSHAKE_INITIATION);
		initiations++;
		wg_timers_handshake_initiated(&t, now, true);
	}
	/* The kernel's count: the first try plus MAX_TIMER_HANDSHAKES + 1 retries. */
	ck_assert_uint_eq(initiations, MAX_TIMER_HANDSHAKES + 2);
	/* Given up: the keys go after 3 x REJECT_AFTER_TIME. */
	ck_assert_uint_eq(wg_timers_next_deadline(&t), now + 3 * REJECT_AFTER_TIME * S);
	ck_assert(wg_timers_expire(&t, now + 3 * REJECT_AFTER_TIME * S, 0) & WG_TIMER_ZERO_KEYS);
	/* A completed handshake stops the retries. */
	wg_timers_init(&t);
	wg_timers_handshake_initiated(&t, tnow, false);
	wg_timers_handshake_complete(&t, tnow + 100);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), UINT64_MAX);
}
END_TEST

START_TEST(test_timers_keepalive)
{
	struct wg_timers t;

	wg_timers_init(&t);
	/* Data in and nothing out: a keepalive after KEEPALIVE_TIMEOUT. */
	wg_timers_data_received(&t, tnow);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), tnow + KEEPALIVE_TIMEOUT * S);
	/* More data meanwhile: one more keepalive after that. */
	wg_timers_data_received(&t, tnow + 1 * S);
	ck_assert_uint_eq(wg_timers_expire(&t, tnow + KEEPALIVE_TIMEOUT * S, 0), WG_TIMER_SEND_KEEPALIVE);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), tnow + 2 * KEEPALIVE_TIMEOUT * S);
	/* Anything we send makes the keepalive unnecessary. */
	wg_timers_any_authenticated_packet_sent(&t, tnow + 11 * S);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), UINT64_MAX);
	/* Data out and nothing back: a new handshake after KEEPALIVE + REKEY_TIMEOUT. */
	wg_timers_reseed(&t, 0);
	wg_timers_data_sent(&t, tnow);
	wg_timers_data_sent(&t, tnow + 3 * S);	/* does not push it back */
	ck_assert_uint_eq(wg_timers_next_deadline(&t), tnow + (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT) * S);
	wg_timers_any_authenticated_packet_received(&t, tnow + 4 * S);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), UINT64_MAX);
	wg_timers_data_sent(&t, tnow);
	ck_assert_uint_eq(wg_timers_expire(&t, tnow + 15 * S, 0), WG_TIMER_NEW_HANDSHAKE);
	/* Persistent keepalive: armed on set, re-armed by traversal, off with 0. */
	wg_timers_persistent_keepalive_changed(&t, 25, tnow);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), tnow + 25 * S);
	wg_timers_any_authenticated_packet_traversal(&t, tnow + 10 * S);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), tnow + 35 * S);
	ck_assert_uint_eq(wg_timers_expire(&t, tnow + 35 * S, 0), WG_TIMER_SEND_PERSISTENT_KEEPALIVE);
	wg_timers_persistent_keepalive_changed(&t, 0, tnow);
	wg_timers_any_authenticated_packet_traversal(&t, tnow);
	ck_assert_uint_eq(wg_timers_next_deadline(&t), UINT64_MAX);
}
END_TEST

START_TEST(test_timers_key_age)
{
	ck_assert(!wg_timers_keypair_expired(tnow, tnow + REJECT_AFTER_TIME * S - 1));
	ck_assert(wg_timers_keypair_expired(tnow, tnow + REJECT_AFTER_TIME * S));
	/* Only the initiator rekeys on time; anyone after REKEY_AFTER_MESSAGES. */
	ck_assert(!wg_timers_should_rekey(true, tnow, tnow + REKEY_AFTER_TIME * S - 1, 0));
	ck_assert(wg_timers_should_rekey(true, tnow, tnow + REKEY_AFTER_TIME * S, 0));
	ck_assert(!wg_timers_should_rekey(false, tnow, tnow + REKEY_AFTER_TIME * S, 0));
	ck_assert(!wg_timers_should_rekey(false, tnow, tnow, REKEY_AFTER_MESSAGES));
	ck_assert(wg_timers_should_rekey(false, tnow, tnow, REKEY_AFTER_MESSAGES + 1));
	/* On receive, the initiator renews in time for the responder's REJECT_AFTER_TIME. */
	ck_assert(!wg_timers_should_rekey_on_receive(true, tnow, tnow + 164 * S));
	ck_assert(wg_timers_should_rekey_on_receive(true, tnow, tnow + 165 * S));
	ck_assert(!wg_timers_should_rekey_on_receive(false, tnow, tnow + 170 * S));
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("wg_state");
	TCase *tc = tcase_create("replay");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_replay_cases);
	tcase_add_test(tc, test_replay_sweeps);
	tcase_add_loop_test(tc, test_replay_random, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("allowedips");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, aip_setup, aip_teardown);
	tcase_add_test(tc, test_aip_basics);
	tcase_add_test(tc, test_aip_host_bits_ignored);
	tcase_add_test(tc, test_aip_default_routes);
	tcase_add_test(tc, test_aip_reinsert_moves);
	tcase_add_test(tc, test_aip_bad_insert);
	tcase_add_test(tc, test_aip_for_each_stops);
	tcase_add_test(tc, test_aip_prune);
	tcase_add_test(tc, test_aip_exact_size_addresses);
	tcase_add_loop_test(tc, test_aip_random, 0, 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("ratelimiter");
	tcase_add_checked_fixture(tc, rl_setup, rl_teardown);
	tcase_add_test(tc, test_rl_burst_then_refill);
	tcase_add_test(tc, test_rl_steady_rate);
	tcase_add_test(tc, test_rl_ipv6_prefix);
	tcase_add_test(tc, test_rl_full_and_gc);
	tcase_add_test(tc, test_rl_grace_per_source);
	tcase_add_test(tc, test_rl_grace_budget);
	suite_add_tcase(s, tc);

	tc = tcase_create("timers");
	tcase_add_test(tc, test_timers_handshake_retry);
	tcase_add_test(tc, test_timers_keepalive);
	tcase_add_test(tc, test_timers_key_age);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(state_suite());
}
