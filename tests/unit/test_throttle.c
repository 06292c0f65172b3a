/* SPDX-License-Identifier: MIT */
/* Failure throttling: the clock is ours, so every window is tested exactly. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "portal_limits.h"
#include "throttle.h"
#include "unit.h"

static const uint8_t hkey[16] = "kgw-throttle-key";

static union kgw_sockaddr addr(const char *text)
{
	union kgw_sockaddr sa;

	ck_assert_int_eq(kgw_sockaddr_parse(text, &sa), 0);
	return sa;
}

static struct kgw_throttle *make(unsigned int smax, unsigned int swin, unsigned int umax,
				 unsigned int ulock, size_t cap)
{
	struct kgw_throttle_config cfg = { smax, swin, umax, ulock };
	struct kgw_throttle *t = kgw_throttle_new(&cfg, cap, hkey);

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_source_window)
{
	struct kgw_throttle *t = make(3, 60, 1000, 1, 16);
	union kgw_sockaddr a = addr("192.0.2.1:1000"), a2 = addr("192.0.2.1:9");
	union kgw_sockaddr b = addr("192.0.2.2:1000");

	/* 1-3: three failures in the window are allowed, each counted. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 100), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 110), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 120), 0);
	/* 4: the fourth waits for the window (from t=100) to end. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 130), 30);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 159), 1);
	/* 5: the port does not matter, another address does. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &a2, NULL, 130), 30);
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, NULL, 130), 0);
	/* 6: a new window after the old one. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 160), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 161), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 162), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 163), 57);
	kgw_throttle_free(t);
}
END_TEST

START_TEST(test_source_success_and_cancel)
{
	struct kgw_throttle *t = make(2, 60, 1000, 1, 16);
	union kgw_sockaddr a = addr("192.0.2.1:1000");

	/* Successes and cancelled attempts never add up. */
	for (int i = 0; i < 20; i++) {
		ck_assert_uint_eq(kgw_throttle_begin(t, &a, "u", 100), 0);
		if (i % 2)
			kgw_throttle_success(t, &a, "u", 100);
		else
			kgw_throttle_cancel(t, &a, "u", 100);
	}
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 100), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 100), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, NULL, 100), 60);
	kgw_throttle_free(t);
}
END_TEST

START_TEST(test_source_ipv6_prefix)
{
	struct kgw_throttle *t = make(2, 60, 1000, 1, 16);
	union kgw_sockaddr a1 = addr("[2001:db8::1]:1"), a2 = addr("[2001:db8::ffff:2]:2");
	union kgw_sockaddr other = addr("[2001:db8:0:1::1]:1");

	/* Two hosts of one /64 share a budget; the next /64 has its own. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &a1, NULL, 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a2, NULL, 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a1, NULL, 0), 60);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a2, NULL, 0), 60);
	ck_assert_uint_eq(kgw_throttle_begin(t, &other, NULL, 0), 0);
	kgw_throttle_free(t);
}
END_TEST

START_TEST(test_source_v4_mapped)
{
	struct kgw_throttle *t = make(1, 60, 1000, 1, 16);
	union kgw_sockaddr v4 = addr("198.51.100.7:1"), mapped = addr("[::ffff:198.51.100.7]:2");
	union kgw_sockaddr near = addr("[::ffff:198.51.100.8]:2");

	ck_assert_uint_eq(kgw_throttle_begin(t, &mapped, NULL, 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &v4, NULL, 0), 60);
	/* Mapped IPv4 is per address, not per /64 of the mapped space. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &near, NULL, 0), 0);
	kgw_throttle_free(t);
}
END_TEST

START_TEST(test_user_lockout_doubles)
{
	struct kgw_throttle *t = make(100000, 60, 2, 10, 16);
	union kgw_sockaddr a = addr("192.0.2.1:1"), b = addr("192.0.2.99:1");
	uint64_t now = 1000;

	/* 1: two failures lock for 10 s, from any source. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", now), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", now), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", now), 10);
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now + 9), 1);
	/* 2: other users are untouched. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, "bob", now), 0);
	kgw_throttle_success(t, &b, "bob", now);
	/* 3: each further failure doubles the lock: 20, 40, 80 ... */
	now += 10;
	for (unsigned int lock = 20; lock <= 10240; lock *= 2) {
		ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), 0);
		ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), lock);
		now += lock;
	}
	/* 4: and stops growing at the maximum. */
	for (int i = 0; i < 40; i++) {
		ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), 0);
		unsigned int wait = kgw_throttle_begin(t, &b, "alice", now);

		ck_assert_uint_le(wait, KGW_THROTTLE_LOCKOUT_MAX);
		now += KGW_THROTTLE_LOCKOUT_MAX;
	}
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), KGW_THROTTLE_LOCKOUT_MAX);
	/* 5: a success (once the lock is over) clears everything. */
	now += KGW_THROTTLE_LOCKOUT_MAX;
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), 0);
	kgw_throttle_success(t, &b, "alice", now);
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &b, "alice", now), 10);
	kgw_throttle_free(t);
}
END_TEST

START_TEST(test_user_forgets)
{
	struct kgw_throttle *t = make(100000, 60, 3, 10, 16);
	union kgw_sockaddr a = addr("192.0.2.1:1");

	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 1), 0);
	/* Two failures, then a quiet day: the next two do not lock. */
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 1 + KGW_THROTTLE_USER_FORGET), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 2 + KGW_THROTTLE_USER_FORGET), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 3 + KGW_THROTTLE_USER_FORGET), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 3 + KGW_THROTTLE_USER_FORGET), 10);
	kgw_throttle_free(t);
}
END_TEST

/* Spellings of one name share one budget. */
START_TEST(test_user_case_folded)
{
	struct kgw_throttle *t = make(100000, 60, 3, 10, 16);
	union kgw_sockaddr a = addr("192.0.2.1:1");

	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "Alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "ALICE", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "aLiCe", 0), 10);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice2", 0), 0);
	kgw_throttle_free(t);
}
END_TEST

/* The longer of the two waits is the answer. */
START_TEST(test_both_limits)
{
	struct kgw_throttle *t = make(3, 300, 2, 10, 16);
	union kgw_sockaddr a = addr("192.0.2.1:1");

	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 10);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "bob", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "carol", 5), 295);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 5), 295);
	kgw_throttle_free(t);
}
END_TEST

/* A hundred guesses in flight at once: only the allowed number begin. */
START_TEST(test_parallel_burst)
{
	struct kgw_throttle *t = make(100000, 60, 5, 60, 16);
	union kgw_sockaddr a = addr("192.0.2.1:1");
	int began = 0;

	for (int i = 0; i < 100; i++)
		began += kgw_throttle_begin(t, &a, "alice", 50) == 0;
	ck_assert_int_eq(began, 5);
	kgw_throttle_free(t);
}
END_TEST

/* A cancelled attempt takes back exactly itself, lock included. */
START_TEST(test_user_cancel)
{
	struct kgw_throttle *t = make(100000, 60, 2, 10, 16);
	union kgw_sockaddr a = addr("192.0.2.1:1");

	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 10);
	kgw_throttle_cancel(t, &a, "alice", 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 10);
	kgw_throttle_free(t);
}
END_TEST

/* Memory is fixed: 10000 sources and names fit in 64 entries each. */
START_TEST(test_bounded)
{
	struct kgw_throttle *t = make(5, 60, 5, 60, 64);
	char name[32];

	for (unsigned int i = 0; i < 10000; i++) {
		union kgw_sockaddr a = { .in = { .sin_family = AF_INET } };

		a.in.sin_addr.s_addr = htonl(0x0a000000 + i);
		snprintf(name, sizeof(name), "user%u", i);
		ck_assert_uint_eq(kgw_throttle_begin(t, &a, name, i), 0);
		ck_assert_uint_le(kgw_throttle_size(t), 128);
	}
	ck_assert_uint_eq(kgw_throttle_size(t), 128);
	kgw_throttle_free(t);
}
END_TEST

/* Eviction passes over entries that are blocking someone. */
START_TEST(test_eviction_keeps_blocks)
{
	struct kgw_throttle *t = make(100000, 60, 2, 3600, 8);
	union kgw_sockaddr a = addr("192.0.2.1:1");
	char name[32];

	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 0), 0);
	/* alice is now the oldest entry; 100 other names come and go. */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "spray%d", i);
		ck_assert_uint_eq(kgw_throttle_begin(t, &a, name, 1), 0);
	}
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 2), 3598);
	/* When every entry blocks, the oldest goes after all: memory wins. */
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "locked%d", i);
		ck_assert_uint_eq(kgw_throttle_begin(t, &a, name, 3), 0);
		ck_assert_uint_eq(kgw_throttle_begin(t, &a, name, 3), 0);
	}
	ck_assert_uint_eq(kgw_throttle_size(t), 8 + 1);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "locked7", 4), 3599);
	ck_assert_uint_eq(kgw_throttle_begin(t, &a, "alice", 4), 0);
	kgw_throttle_free(t);
}
END_TEST

/* Many keys in one table: every count stays with its own key. */
START_TEST(test_many_keys)
{
	struct kgw_throttle *t = make(100000, 60, 3, 60, 1024);
	union kgw_sockaddr a = addr("192.0.2.1:1");
	char name[32];

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 1000; i++) {
			snprintf(name, sizeof(name), "u%d", i);
			ck_assert_uint_eq(kgw_throttle_begin(t, &a, name, 0), 0);
		}
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		ck_assert_uint_eq(kgw_throttle_begin(t, &a, name, 0), 60);
		if (i % 2)
			kgw_throttle_success(t, &a, name, 0);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		ck_assert_uint_eq(kgw_throttle_begin(t, &a, name, 0), i % 2 ? 0 : 60);
	}
	kgw_throttle_free(t);
}
END_TEST

START_TEST(test_bad_config)
{
	struct kgw_throttle_config cfg = { 0, 60, 5, 60 };

	ck_assert_ptr_null(kgw_throttle_new(&cfg, 16, NULL));
	cfg.source_max_failures = 1;
	ck_assert_ptr_null(kgw_throttle_new(&cfg, 0, NULL));
	cfg.user_max_failures = 0;
	ck_assert_ptr_null(kgw_throttle_new(&cfg, 16, NULL));
	kgw_throttle_free(NULL);
}
END_TEST

static Suite *throttle_suite(void)
{
	Suite *s = suite_create("throttle");
	TCase *tc = tcase_create("throttle");

	tcase_add_test(tc, test_source_window);
	tcase_add_test(tc, test_source_success_and_cancel);
	tcase_add_test(tc, test_source_ipv6_prefix);
	tcase_add_test(tc, test_source_v4_mapped);
	tcase_add_test(tc, test_user_lockout_doubles);
	tcase_add_test(tc, test_user_forgets);
	tcase_add_test(tc, test_user_case_folded);
	tcase_add_test(tc, test_both_limits);
	tcase_add_test(tc, test_parallel_burst);
	tcase_add_test(tc, test_user_cancel);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_eviction_keeps_blocks);
	tcase_add_test(tc, test_many_keys);
	tcase_add_test(tc, test_bad_config);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(throttle_suite());
}
