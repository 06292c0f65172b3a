/* SPDX-License-Identifier: MIT */
/* argon2id password hashes and the dummy check for unknown users. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "password.h"
#include "unit.h"

START_TEST(test_hash_and_verify)
{
	char h1[KGW_PASSWORD_HASH_MAX], h2[KGW_PASSWORD_HASH_MAX];

	ck_assert_int_eq(kgw_password_hash("correct horse", h1), 0);
	ck_assert_int_eq(strncmp(h1, "$argon2id$", 10), 0);
	ck_assert(kgw_password_verify(h1, "correct horse"));
	ck_assert(!kgw_password_verify(h1, "correct horsE"));
	ck_assert(!kgw_password_verify(h1, "correct horse "));
	ck_assert(!kgw_password_verify(h1, ""));
	ck_assert(!kgw_password_verify(h1, NULL));
	/* A fresh salt each time. */
	ck_assert_int_eq(kgw_password_hash("correct horse", h2), 0);
	ck_assert_str_ne(h1, h2);
	ck_assert(kgw_password_verify(h2, "correct horse"));
	ck_assert(!kgw_password_needs_rehash(h1));
}
END_TEST

START_TEST(test_bad_input)
{
	char h[KGW_PASSWORD_HASH_MAX], big[KGW_PASSWORD_MAX + 2];

	ck_assert_int_eq(kgw_password_hash("", h), -EINVAL);
	ck_assert_str_eq(h, "");
	ck_assert_int_eq(kgw_password_hash(NULL, h), -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(kgw_password_hash(big, h), -EINVAL);
	big[KGW_PASSWORD_MAX] = '\0';
	ck_assert_int_eq(kgw_password_hash(big, h), 0);
	ck_assert(kgw_password_verify(h, big));
	/* One byte over the limit is refused even though the prefix matches. */
	big[KGW_PASSWORD_MAX] = 'a';
	ck_assert(!kgw_password_verify(h, big));
	/* Garbage and truncated hashes verify nothing. */
	ck_assert(!kgw_password_verify("", "x"));
	ck_assert(!kgw_password_verify("$argon2id$v=19$m=65536,t=2,p=1$", "x"));
	ck_assert(!kgw_password_verify(NULL, "x"));
	ck_assert(kgw_password_needs_rehash("$2y$10$abc"));
	ck_assert(kgw_password_needs_rehash(NULL));
}
END_TEST

/* Length of "$argon2id$v=19$m=...,t=...,p=...$": up to the salt. */
static size_t params_len(const char *hash)
{
	const char *p = hash;

	for (int i = 0; i < 4 && p; i++)
		p = strchr(p + (i > 0), '$');
	ck_assert_ptr_nonnull(p);
	return (size_t)(p - hash) + 1;
}

/*
 * Unknown users cost a real verification: the dummy hash has the very
 * parameters real hashes get (so it needs no rehash), and it refuses
 * anything. Its time against a real one is measured by `make bench'
 * (tests/bench/password.c), not asserted here.
 */
START_TEST(test_dummy)
{
	char h[KGW_PASSWORD_HASH_MAX];

	ck_assert(!kgw_password_needs_rehash(kgw_password_dummy_hash));
	ck_assert_int_eq(kgw_password_hash("pw", h), 0);
	/* Same algorithm and cost prefix as a fresh hash: "$argon2id$v=19$m=...,t=...,p=...$". */
	ck_assert_uint_eq(params_len(h), params_len(kgw_password_dummy_hash));
	ck_assert_int_eq(strncmp(h, kgw_password_dummy_hash, params_len(h)), 0);
	ck_assert(!kgw_password_verify_dummy("anything"));
	ck_assert(!kgw_password_verify_dummy(""));
	ck_assert(!kgw_password_verify_dummy(NULL));
}
END_TEST

static Suite *password_suite(void)
{
	Suite *s = suite_create("password");
	TCase *tc = tcase_create("argon2id");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hash_and_verify);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_dummy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(password_suite());
}
