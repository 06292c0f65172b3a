/* SPDX-License-Identifier: MIT */
/*
 * The secret slab (lib/secmem.c): slot sizes and alignment, slots zero
 * when handed out and wiped when freed (read back while the chunk stays
 * mapped), numbered alloc/free patterns and a long random sequence
 * against a model that tags every live slot with its own bytes, the
 * max_slots limit, chunks growing and being released, the mapping's
 * flags in /proc/self/smaps (locked, not dumped), and the aborts on a
 * double free or a foreign pointer.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"
#include "unit.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uintptr_t chunk_of(const void *p)
{
	return (uintptr_t)p & ~(uintptr_t)(kgw_secmem_chunk_size() - 1);
}

/*
 * Reads a slot the pool has taken back. It is still mapped (the caller
 * keeps another slot of the chunk live); ASan has poisoned it on purpose,
 * so this one reader is not instrumented.
 */
__attribute__((no_sanitize_address)) static bool freed_slot_is_zero(const void *p, size_t n)
{
	const volatile uint8_t *b = p;
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return !acc;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- sizes ---- */

static const struct {
	size_t asked, slot;	/* slot 0: init fails */
} size_cases[] = {
	/* 0 */ { 0, 0 },
	/* 1 */ { 1, 16 },
	/* 2 */ { 16, 16 },
	/* 3 */ { 17, 32 },
	/* 4 */ { 104, 112 },
	/* 5 */ { 288, 288 },
	/* 6 */ { 1192, 1200 },
	/* 7 */ { 32 * 1024 + 1, 0 },		/* more than half a chunk */
	/* 8 */ { SIZE_MAX, 0 },
};

START_TEST(test_sizes)
{
	struct kgw_secmem m;
	int ret = kgw_secmem_init(&m, "test", size_cases[_i].asked, 0);

	if (!size_cases[_i].slot) {
		ck_assert_int_eq(ret, -EINVAL);
		return;
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(m.slot_size, size_cases[_i].slot);
	ck_assert_uint_ge(m.slots_per_chunk, 1);
	/* Header and slots within one chunk, and not one slot more would fit. */
	ck_assert_uint_le(m.slots_per_chunk * m.slot_size, kgw_secmem_chunk_size());
	kgw_secmem_destroy(&m);
}
END_TEST

/* Every slot of two chunks: aligned, inside its chunk, zero, and not overlapping another. */
START_TEST(test_alignment_and_zero)
{
	struct kgw_secmem m;
	size_t n;
	uint8_t **p;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 40, 0), 0);
	n = 2 * m.slots_per_chunk;
	p = calloc(n, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++) {
		p[i] = kgw_secmem_alloc(&m);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert_uint_eq((uintptr_t)p[i] % KGW_SECMEM_ALIGN, 0);
		ck_assert_uint_eq(chunk_of(p[i]), chunk_of(p[i] + m.slot_size - 1));
		ck_assert(is_zero(p[i], m.slot_size));
		memset(p[i], (int)(i & 0xff) | 1, m.slot_size);
	}
	ck_assert_uint_eq(m.chunks, 2);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < m.slot_size; k++)
			ck_assert_uint_eq(p[i][k], (i & 0xff) | 1);
		kgw_secmem_free(&m, p[i]);
	}
	ck_assert_uint_eq(m.in_use, 0);
	kgw_secmem_destroy(&m);
	free(p);
}
END_TEST

START_TEST(test_wiped_on_free)
{
	struct kgw_secmem m;
	uint8_t *keep, *secret, *again;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 288, 0), 0);
	keep = kgw_secmem_alloc(&m);
	secret = kgw_secmem_alloc(&m);
	ck_assert_ptr_nonnull(keep);
	ck_assert_ptr_nonnull(secret);
	ck_assert_uint_eq(chunk_of(keep), chunk_of(secret));
	memset(secret, 0xa5, m.slot_size);
	kgw_secmem_free(&m, secret);
	ck_assert_uint_eq(m.chunks, 1);
	ck_assert(freed_slot_is_zero(secret, m.slot_size));
	/* The slot comes back (the free stack is LIFO), still zero. */
	again = kgw_secmem_alloc(&m);
	ck_assert_ptr_eq(again, secret);
	ck_assert(is_zero(again, m.slot_size));
	kgw_secmem_free(&m, again);
	kgw_secmem_free(&m, keep);
	kgw_secmem_destroy(&m);
}
END_TEST

START_TEST(test_free_null)
{
	struct kgw_secmem m;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 64, 0), 0);
	kgw_secmem_free(&m, NULL);
	ck_assert_uint_eq(m.in_use, 0);
	ck_assert_uint_eq(m.chunks, 0);
	kgw_secmem_destroy(&m);
	kgw_secmem_destroy(NULL);
}
END_TEST

/* ---- patterns ---- */

/*
 * Each case: allocate `a' slots, free every `step'th of them starting at
 * `first', allocate `b' more, then check the counts. Slot size 288 (the
 * peer's handshake state). SPC stands for one chunk's worth of slots.
 */
#define SPC ((size_t)-1)
static const struct {
	size_t a, step, first, b;
} pattern_cases[] = {
	/* 0 */ { 1, 1, 0, 0 },
	/* 1 */ { 10, 1, 0, 10 },
	/* 2 */ { 10, 2, 0, 5 },
	/* 3 */ { 500, 2, 1, 100 },		/* spans chunks; holes refilled first */
	/* 4 */ { 500, 1, 0, 500 },		/* all freed: chunks released but one */
	/* 5 */ { 1000, 3, 2, 1 },
	/* 6 */ { SPC, 1, 0, 0 },		/* exactly one chunk, then empty */
	/* 7 */ { SPC, 2, 0, SPC },		/* one and a half chunks */
};

START_TEST(test_patterns)
{
	struct kgw_secmem m;
	size_t a = pattern_cases[_i].a, b = pattern_cases[_i].b, freed = 0, total, spc, c0, need;
	uint8_t **p;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 288, 0), 0);
	spc = m.slots_per_chunk;
	a = a == SPC ? spc : a;
	b = b == SPC ? spc : b;
	p = calloc(a + b, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < a; i++) {
		ck_assert_ptr_nonnull(p[i] = kgw_secmem_alloc(&m));
		memcpy(p[i], &i, sizeof(i));
	}
	ck_assert_uint_eq(m.chunks, (a + spc - 1) / spc);
	for (size_t i = pattern_cases[_i].first; i < a; i += pattern_cases[_i].step) {
		kgw_secmem_free(&m, p[i]);
		p[i] = NULL;
		freed++;
	}
	ck_assert_uint_eq(m.in_use, a - freed);
	/* Frees never add a chunk. */
	ck_assert_uint_le(m.chunks, (a + spc - 1) / spc);
	c0 = m.chunks;
	for (size_t i = a; i < a + b; i++) {
		ck_assert_ptr_nonnull(p[i] = kgw_secmem_alloc(&m));
		ck_assert(is_zero(p[i], m.slot_size));
		memcpy(p[i], &i, sizeof(i));
	}
	total = a - freed + b;
	ck_assert_uint_eq(m.in_use, total);
	/* Holes are filled before a chunk is added. */
	need = (total + spc - 1) / spc;
	ck_assert_uint_eq(m.chunks, c0 > need ? c0 : need);
	for (size_t i = 0; i < a + b; i++) {
		size_t tag;

		if (!p[i])
			continue;
		memcpy(&tag, p[i], sizeof(tag));
		ck_assert_uint_eq(tag, i);
		kgw_secmem_free(&m, p[i]);
	}
	ck_assert_uint_eq(m.in_use, 0);
	ck_assert_uint_le(m.chunks, 1);
	kgw_secmem_destroy(&m);
	ck_assert_uint_eq(m.chunks, 0);
	free(p);
}
END_TEST

/* Tags a whole slot with its own address, so an overlap between slots would show. */
static void tag(uint8_t *s, size_t n, uint8_t *out)
{
	for (size_t k = 0; k < n; k++)
		out[k] = (uint8_t)(((uintptr_t)s >> 4) + k) | 1;
}

/* 100,000 random allocations and frees against a model of the live slots. */
START_TEST(test_random)
{
	enum { LIVE = 3000, OPS = 100000 };
	uint8_t want[8 + 24 * 3];
	struct kgw_secmem m;
	uint8_t **live = calloc(LIVE, sizeof(*live));
	size_t n = 0, size = 8 + 24 * (size_t)_i, peak = 0;

	rng_state = 0x5eed0000u + (uint64_t)_i;
	ck_assert_ptr_nonnull(live);
	ck_assert_int_eq(kgw_secmem_init(&m, "test", size, 0), 0);
	for (size_t op = 0; op < OPS; op++) {
		/* Drift between filling and draining, so chunks come and go. */
		bool grow = (op / 20000) % 2 ? rnd() % 4 == 0 : rnd() % 4 != 0;

		if (n < LIVE && (grow || !n)) {
			uint8_t *s = kgw_secmem_alloc(&m);

			ck_assert_ptr_nonnull(s);
			ck_assert(is_zero(s, m.slot_size));
			tag(s, m.slot_size, s);
			live[n++] = s;
		} else {
			size_t j = (size_t)(rnd() % n);
			uint8_t *s = live[j];

			tag(s, m.slot_size, want);
			ck_assert(!memcmp(s, want, m.slot_size));
			kgw_secmem_free(&m, s);
			live[j] = live[--n];
		}
		ck_assert_uint_eq(m.in_use, n);
		peak = n > peak ? n : peak;
		/* A chunk is only added when all are full; at most the live slots' chunks stay. */
		ck_assert_uint_le(m.chunks, (peak + m.slots_per_chunk - 1) / m.slots_per_chunk);
		ck_assert_uint_ge(m.chunks, (n + m.slots_per_chunk - 1) / m.slots_per_chunk);
	}
	while (n)
		kgw_secmem_free(&m, live[--n]);
	ck_assert_uint_le(m.chunks, 1);
	kgw_secmem_destroy(&m);
	free(live);
}
END_TEST

/* ---- limits and chunks ---- */

START_TEST(test_exhaustion)
{
	struct kgw_secmem m;
	size_t max;
	void **p;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 104, 0), 0);
	max = 2 * m.slots_per_chunk + 7;
	kgw_secmem_destroy(&m);
	ck_assert_int_eq(kgw_secmem_init(&m, "test", 104, max), 0);
	p = calloc(max, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < max; i++)
		ck_assert_ptr_nonnull(p[i] = kgw_secmem_alloc(&m));
	errno = 0;
	ck_assert_ptr_null(kgw_secmem_alloc(&m));
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_uint_eq(m.in_use, max);
	ck_assert_uint_eq(m.chunks, 3);
	kgw_secmem_free(&m, p[max / 2]);
	ck_assert_ptr_eq(kgw_secmem_alloc(&m), p[max / 2]);
	ck_assert_ptr_null(kgw_secmem_alloc(&m));
	/* destroy with every slot still in use: wiped and unmapped, no leak. */
	kgw_secmem_destroy(&m);
	ck_assert_uint_eq(m.chunks, 0);
	ck_assert_uint_eq(m.in_use, 0);
	free(p);
}
END_TEST

START_TEST(test_chunk_release)
{
	struct kgw_secmem m;
	void **p;
	size_t spc;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 1000, 0), 0);
	spc = m.slots_per_chunk;
	p = calloc(3 * spc, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < 3 * spc; i++)
		ck_assert_ptr_nonnull(p[i] = kgw_secmem_alloc(&m));
	ck_assert_uint_eq(m.chunks, 3);
	/* Empty the last chunk: it is the only one with room, so it stays. */
	for (size_t i = 2 * spc; i < 3 * spc; i++)
		kgw_secmem_free(&m, p[i]);
	ck_assert_uint_eq(m.chunks, 3);
	/* Empty the first: the third has room, so the first goes back. */
	for (size_t i = 0; i < spc; i++)
		kgw_secmem_free(&m, p[i]);
	ck_assert_uint_eq(m.chunks, 2);
	/* New slots come from the kept chunk, not a new mapping. */
	for (size_t i = 0; i < spc; i++)
		ck_assert_ptr_nonnull(p[i] = kgw_secmem_alloc(&m));
	ck_assert_uint_eq(m.chunks, 2);
	for (size_t i = 0; i < 2 * spc; i++)
		kgw_secmem_free(&m, p[i]);
	ck_assert_uint_eq(m.chunks, 1);
	ck_assert_uint_eq(m.in_use, 0);
	kgw_secmem_destroy(&m);
	free(p);
}
END_TEST

/*
 * The chunk's mapping in /proc/self/smaps: not dumped (VmFlags `dd'),
 * and locked whole unless mlock was refused (then the pool counts it).
 */
START_TEST(test_mapping_flags)
{
	char line[512], want[64];
	struct kgw_secmem m;
	bool in = false, seen = false, dd = false;
	long locked = -1;
	void *p;
	FILE *f;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 288, 0), 0);
	p = kgw_secmem_alloc(&m);
	ck_assert_ptr_nonnull(p);
	snprintf(want, sizeof(want), "%lx-", (unsigned long)chunk_of(p));
	f = fopen("/proc/self/smaps", "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = !strncmp(line, want, strlen(want));
			seen |= in;
		} else if (in && !strncmp(line, "Locked:", 7)) {
			locked = strtol(line + 7, NULL, 10);
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			dd = strstr(line, " dd") != NULL;
		}
	}
	fclose(f);
	ck_assert_msg(seen, "no mapping starting at %s in smaps", want);
	ck_assert(dd);
#ifndef __SANITIZE_ADDRESS__
	/* ASan's mlock() does nothing and says it succeeded. */
	if (!m.unlocked_chunks)
		ck_assert_int_eq(locked, (long)(kgw_secmem_chunk_size() / 1024));
#else
	(void)locked;
#endif
	kgw_secmem_free(&m, p);
	kgw_secmem_destroy(&m);
}
END_TEST

/* ---- misuse aborts ---- */

START_TEST(test_double_free)
{
	struct kgw_secmem m;
	void *keep, *p;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 64, 0), 0);
	keep = kgw_secmem_alloc(&m);
	p = kgw_secmem_alloc(&m);
	ck_assert_ptr_nonnull(keep);
	kgw_secmem_free(&m, p);
	kgw_secmem_free(&m, p);
}
END_TEST

START_TEST(test_free_inside_slot)
{
	struct kgw_secmem m;
	uint8_t *p;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 64, 0), 0);
	p = kgw_secmem_alloc(&m);
	ck_assert_ptr_nonnull(p);
	kgw_secmem_free(&m, p + 16);
}
END_TEST

START_TEST(test_free_other_pool)
{
	struct kgw_secmem a, b;
	void *p;

	ck_assert_int_eq(kgw_secmem_init(&a, "a", 64, 0), 0);
	ck_assert_int_eq(kgw_secmem_init(&b, "b", 64, 0), 0);
	p = kgw_secmem_alloc(&a);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(kgw_secmem_alloc(&b));
	kgw_secmem_free(&b, p);
}
END_TEST

#ifndef __SANITIZE_ADDRESS__
/* The page below a chunk is PROT_NONE (ASan takes SIGSEGV over itself, so not there). */
START_TEST(test_guard_page)
{
	struct kgw_secmem m;
	volatile uint8_t *below;
	void *p;

	ck_assert_int_eq(kgw_secmem_init(&m, "test", 64, 0), 0);
	p = kgw_secmem_alloc(&m);
	ck_assert_ptr_nonnull(p);
	below = (volatile uint8_t *)chunk_of(p) - 1;
	*below = 1;
}
END_TEST
#endif

static Suite *secmem_suite(void)
{
	Suite *s = suite_create("secmem");
	TCase *tc = tcase_create("slots");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_sizes, 0, ARRAY_SIZE(size_cases));
	tcase_add_test(tc, test_alignment_and_zero);
	tcase_add_test(tc, test_wiped_on_free);
	tcase_add_test(tc, test_free_null);
	tcase_add_loop_test(tc, test_patterns, 0, ARRAY_SIZE(pattern_cases));
	tcase_add_loop_test(tc, test_random, 0, 4);
	tcase_add_test(tc, test_exhaustion);
	tcase_add_test(tc, test_chunk_release);
	tcase_add_test(tc, test_mapping_flags);
	suite_add_tcase(s, tc);
	tc = tcase_create("misuse");
	tcase_add_test_raise_signal(tc, test_double_free, SIGABRT);
	tcase_add_test_raise_signal(tc, test_free_inside_slot, SIGABRT);
	tcase_add_test_raise_signal(tc, test_free_other_pool, SIGABRT);
#ifndef __SANITIZE_ADDRESS__
	tcase_add_test_raise_signal(tc, test_guard_page, SIGSEGV);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(secmem_suite());
}
