/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>

#include "pool.h"
#include "unit.h"

static struct kgw_pool pool;

static void make(const char *v4, const char *v6)
{
	struct kgw_cidr a, b;

	ck_assert_int_eq(kgw_cidr_parse(v4, true, &a), 0);
	ck_assert_int_eq(kgw_cidr_parse(v6, true, &b), 0);
	ck_assert_int_eq(kgw_pool_init(&pool, &a, &b), 0);
}

static const char *fmt(const struct kgw_cidr *c)
{
	static char buf[4][KGW_ADDR_STR_MAX];
	static int n;

	return kgw_cidr_format(c, buf[n++ % 4]);
}

START_TEST(test_addresses)
{
	struct kgw_cidr a4, a6;
	uint32_t h;

	make("100.64.0.0/16", "fd6b:6777::/64");
	kgw_pool_gateway(&pool, &a4, &a6);
	ck_assert_str_eq(fmt(&a4), "100.64.0.1/16");
	ck_assert_str_eq(fmt(&a6), "fd6b:6777::1/64");
	ck_assert_int_eq(kgw_pool_alloc(&pool, &h), 0);
	kgw_pool_addr(&pool, h, &a4, &a6);
	ck_assert_str_eq(fmt(&a4), "100.64.0.2/32");
	ck_assert_str_eq(fmt(&a6), "fd6b:6777::2/128");
	kgw_pool_addr(&pool, 0x1234, &a4, &a6);
	ck_assert_str_eq(fmt(&a4), "100.64.18.52/32");
	ck_assert_str_eq(fmt(&a6), "fd6b:6777::1234/128");
	kgw_pool_free(&pool);
}
END_TEST

/* A /29 has hosts 2..6 for clients (1: gateway, 7: broadcast). */
START_TEST(test_exhaustion_and_next_fit)
{
	uint32_t h, got[5];

	make("10.9.0.0/29", "fd00::/64");
	ck_assert_uint_eq(kgw_pool_available(&pool), 5);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(kgw_pool_alloc(&pool, &got[i]), 0);
		ck_assert_uint_eq(got[i], (uint32_t)i + 2);
	}
	ck_assert_int_eq(kgw_pool_alloc(&pool, &h), -ENOSPC);
	kgw_pool_release(&pool, 3);
	kgw_pool_release(&pool, 5);
	/* Next-fit: the search resumes after the last one handed out, so 3 comes before 5. */
	ck_assert_int_eq(kgw_pool_alloc(&pool, &h), 0);
	ck_assert_uint_eq(h, 3);
	ck_assert_int_eq(kgw_pool_alloc(&pool, &h), 0);
	ck_assert_uint_eq(h, 5);
	kgw_pool_release(&pool, 2);
	kgw_pool_release(&pool, 6);
	/* Cursor is past 5: 6 is next, then wrap to 2. */
	ck_assert_int_eq(kgw_pool_alloc(&pool, &h), 0);
	ck_assert_uint_eq(h, 6);
	ck_assert_int_eq(kgw_pool_alloc(&pool, &h), 0);
	ck_assert_uint_eq(h, 2);
	kgw_pool_free(&pool);
}
END_TEST

/* A released address is not reused while others are free. */
START_TEST(test_no_quick_reuse)
{
	uint32_t h, first;

	make("100.64.0.0/16", "fd6b:6777::/64");
	ck_assert_int_eq(kgw_pool_alloc(&pool, &first), 0);
	kgw_pool_release(&pool, first);
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(kgw_pool_alloc(&pool, &h), 0);
		ck_assert_uint_ne(h, first);
		kgw_pool_release(&pool, h);
	}
	kgw_pool_free(&pool);
}
END_TEST

static const struct {
	const char *addr;
	int ret;
} take_cases[] = {
	/* 0 */ { "100.64.0.9", 0 },
	/* 1 */ { "100.64.0.9", -EEXIST },
	/* 2 */ { "100.64.0.1", -ERANGE },	/* the gateway */
	/* 3 */ { "100.64.0.0", -ERANGE },
	/* 4 */ { "100.64.255.255", -ERANGE },	/* broadcast */
	/* 5 */ { "100.65.0.9", -ERANGE },
	/* 6 */ { "fd6b:6777::9", -ERANGE },
	/* 7 */ { "100.64.255.254", 0 },
};

START_TEST(test_take)
{
	struct kgw_cidr c;
	uint32_t h;

	make("100.64.0.0/16", "fd6b:6777::/64");
	for (size_t i = 0; i < ARRAY_SIZE(take_cases); i++) {
		ck_assert_int_eq(kgw_cidr_parse(take_cases[i].addr, true, &c), 0);
		ck_assert_msg(kgw_pool_take(&pool, &c, &h) == take_cases[i].ret, "case %zu", i);
	}
	ck_assert_uint_eq(kgw_pool_available(&pool), 65533 - 2);
	kgw_pool_free(&pool);
}
END_TEST

START_TEST(test_bad_pools)
{
	struct kgw_cidr a, b;

	ck_assert_int_eq(kgw_cidr_parse("10.0.0.0/31", true, &a), 0);
	ck_assert_int_eq(kgw_cidr_parse("fd00::/64", true, &b), 0);
	ck_assert_int_eq(kgw_pool_init(&pool, &a, &b), -EINVAL);
	ck_assert_int_eq(kgw_cidr_parse("10.0.0.0/7", true, &a), 0);
	ck_assert_int_eq(kgw_pool_init(&pool, &a, &b), -EINVAL);
	ck_assert_int_eq(kgw_cidr_parse("10.0.0.0/16", true, &a), 0);
	ck_assert_int_eq(kgw_cidr_parse("fd00::/120", true, &b), 0);
	ck_assert_int_eq(kgw_pool_init(&pool, &a, &b), -EINVAL);	/* v6 smaller than v4 */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");

	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_exhaustion_and_next_fit);
	tcase_add_test(tc, test_no_quick_reuse);
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_bad_pools);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
