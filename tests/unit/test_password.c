/* SPDX-License-Identifier: MIT */
/* argon2id password hashes and the dummy check for unknown users. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

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

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Unknown users cost a real verification: same parameters, similar time. */
START_TEST(test_dummy)
{
	char h[KGW_PASSWORD_HASH_MAX];
	double t0, real = 1e9, dummy = 1e9;

	ck_assert(!kgw_password_needs_rehash(kgw_password_dummy_hash));
	ck_assert(!kgw_password_verify_dummy("anything"));
	ck_assert(!kgw_password_verify_dummy(""));
	ck_assert(!kgw_password_verify_dummy(NULL));
	ck_assert_int_eq(kgw_password_hash("pw", h), 0);
	/* Best of three, to keep a busy machine from making this flaky. */
	for (int i = 0; i < 3; i++) {
		t0 = seconds();
		ck_assert(!kgw_password_verify(h, "wrong"));
		if (seconds() - t0 < real)
			real = seconds() - t0;
		t0 = seconds();
		ck_assert(!kgw_password_verify_dummy("wrong"));
		if (seconds() - t0 < dummy)
			dummy = seconds() - t0;
	}
	/* Only the lower bound matters (a cheap dummy is an oracle); load skews the rest. */
	ck_assert_msg(dummy > real * 0.5, "dummy verify %.3fs vs real %.3fs", dummy, real);
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
