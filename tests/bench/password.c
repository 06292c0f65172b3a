/* SPDX-License-Identifier: MIT */
/*
 * What a failed password costs: a wrong password for a user with a hash
 * against the dummy verification pam_kgw runs for an unknown user. If the
 * dummy were cheaper, the time of a refusal would tell whether a user
 * exists. Wall-clock medians (argon2id is memory-bound, so CPU time alone
 * would hide the part spent waiting on memory); run on a quiet machine.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "password.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 9;
	char hash[KGW_PASSWORD_HASH_MAX];
	double *real, *dummy, t, r, d;

	if (n <= 0 || n > 1000 || sodium_init() < 0 || kgw_password_hash("right-pw", hash))
		return 1;
	real = calloc((size_t)n, sizeof(*real));
	dummy = calloc((size_t)n, sizeof(*dummy));
	if (!real || !dummy)
		return 1;
	/* Alternating, so a change in load hits both alike. */
	for (int i = 0; i < n; i++) {
		t = now_s();
		if (kgw_password_verify(hash, "wrong-pw"))
			return 1;
		real[i] = now_s() - t;
		t = now_s();
		(void)kgw_password_verify_dummy("wrong-pw");
		dummy[i] = now_s() - t;
	}
	r = median(real, n);
	d = median(dummy, n);
	printf("password: wrong password of a known user %.0f ms, unknown user (dummy) %.0f ms, "
	       "ratio %.2f (median of %d)\n", r * 1e3, d * 1e3, d / r, n);
	free(real);
	free(dummy);
	return 0;
}
