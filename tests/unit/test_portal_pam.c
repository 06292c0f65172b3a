/* SPDX-License-Identifier: MIT */
/*
 * The PAM worker pool against real libpam: a temporary confdir whose
 * services stack the test module (tests/integration/pam_portal_test.c) and
 * the stock pam_exec.so, pam_permit.so.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "pam_worker.h"
#include "portal_limits.h"
#include "unit.h"

/* Sized so that every path and file built from them fits. */
/*
 * Linux-PAM 1.5.2 leaks a small block when a service has neither its own
 * file nor an "other" (test_missing_service). LeakSanitizer asks for this
 * hook in sanitizer builds; elsewhere nothing calls it.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpam.so\n";
}

static char confdir[64];
static char module[1024];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[sizeof(confdir) + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", confdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* auth: the test module with `auth_args'; account: it with `acct_args', or pam_permit. */
static void service(const char *name, const char *auth_args, const char *acct_args)
{
	char text[4 * sizeof(module)];

	if (acct_args)
		snprintf(text, sizeof(text), "auth required %s %s\naccount required %s %s\n",
			 module, auth_args, module, acct_args);
	else
		snprintf(text, sizeof(text), "auth required %s %s\naccount required %s\n",
			 module, auth_args, "pam_permit.so");
	write_file(name, text, 0644);
}

static void setup(void)
{
	const char *build = getenv("KGW_BUILDDIR");
	char text[4 * sizeof(module)];

	snprintf(module, sizeof(module), "%s/tests/integration/.libs/pam_portal_test.so",
		 build ? build : ".");
	ck_assert_msg(access(module, R_OK) == 0, "no test module at %s", module);
	snprintf(confdir, sizeof(confdir), "/tmp/kgw-pam-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(confdir));
	service("good", "password=s3cret otp=123456 unavailable=broken", "deny_account=expired");
	service("nootp", "password=s3cret", NULL);
	service("odd", "password=s3cret prompt=Passcode:", NULL);
	service("rename", "password=s3cret rename=root", NULL);
	/* pam_exec runs the script with PAM_USER in its environment. */
	/* It leaves a mark when it starts: the job is off the queue then. */
	snprintf(text, sizeof(text), "#!/bin/sh\nif [ \"$PAM_USER\" = slow ]; then\n"
		 "\t: > %s/slow.started\n\tsleep 2\nfi\nexit 0\n", confdir);
	write_file("slow.sh", text, 0755);
	snprintf(text, sizeof(text),
		 "auth requisite pam_exec.so quiet %s/slow.sh\n"
		 "auth required %s password=s3cret\n"
		 "account required pam_permit.so\n", confdir, module);
	write_file("slow", text, 0644);
}

static void teardown(void)
{
	static const char *const files[] = { "good", "nootp", "odd", "rename", "slow.sh", "slow",
					     "slow.started" };
	char path[sizeof(confdir) + 64];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", confdir, files[i]);
		unlink(path);
	}
	rmdir(confdir);
}

/* ---- collecting results ---- */

struct outcome {
	int calls;
	struct kgw_pam_result res;
	double at;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void done(void *arg, const struct kgw_pam_result *res)
{
	struct outcome *o = arg;

	o->calls++;
	o->res = *res;
	o->at = now();
}

static struct kgw_pam_request req(const char *service, const char *user, const char *pw,
				  const char *otp)
{
	return (struct kgw_pam_request){ service, confdir, user, pw, otp, "192.0.2.1" };
}

/* Runs the loop until every outcome has its call (or 10 s pass). */
static void wait_all(struct ev_loop *loop, struct outcome *o, size_t n)
{
	double end = now() + 10;

	for (;;) {
		size_t got = 0;

		for (size_t i = 0; i < n; i++)
			got += o[i].calls > 0;
		if (got == n || now() > end)
			break;
		ev_run(loop, EVRUN_ONCE);
	}
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(o[i].calls, 1);
}

#define PASSED KGW_PAM_OK, PAM_SUCCESS, "account"
#define DENIED(code, stage) KGW_PAM_DENIED, code, stage
#define AUTH_FAILED DENIED(PAM_AUTH_ERR, "authenticate")
#define UNAVAILABLE KGW_PAM_UNAVAILABLE, PAM_AUTHINFO_UNAVAIL, "authenticate"

static const struct {
	const char *service, *user, *password, *otp;
	enum kgw_pam_status status;
	int code;
	const char *stage;
} cases[] = {
	/*  0 */ { "good", "alice", "s3cret", "123456", PASSED },
	/*  1 */ { "good", "alice", "wrong", "123456", AUTH_FAILED },
	/*  2 */ { "good", "alice", "s3cret", "654321", AUTH_FAILED },
	/*  3 */ { "good", "alice", "s3cret", NULL, AUTH_FAILED },
	/*  4 */ { "good", "expired", "s3cret", "123456", DENIED(PAM_ACCT_EXPIRED, "account") },
	/*  5 */ { "nootp", "bob", "s3cret", NULL, PASSED },
	/*  6 */ { "nootp", "bob", "s3cret", "123456", PASSED },
	/*  7 */ { "odd", "bob", "s3cret", NULL, AUTH_FAILED },
	/*  8 */ { "rename", "bob", "s3cret", NULL, DENIED(PAM_PERM_DENIED, "user") },
	/*  9 */ { "good", "alice", "", "123456", AUTH_FAILED },
	/* 10 */ { "good", "broken", "s3cret", "123456", UNAVAILABLE },
	/* 11 */ { "good", "broken", "wrong", "000000", UNAVAILABLE },
};

START_TEST(test_outcomes)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct kgw_pam_request r = req(cases[_i].service, cases[_i].user, cases[_i].password,
				       cases[_i].otp);
	struct outcome o = { 0 };
	struct kgw_pam_pool *p;
	int err;

	p = kgw_pam_pool_new(loop, 2, 4, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(kgw_pam_submit(p, &r, done, &o), 0);
	wait_all(loop, &o, 1);
	ck_assert_msg(o.res.status == cases[_i].status, "case %d: status %d (%s at %s)", _i,
		      o.res.status, o.res.reason, o.res.stage);
	ck_assert_int_eq(o.res.pam_code, cases[_i].code);
	ck_assert_str_eq(o.res.stage, cases[_i].stage);
	ck_assert_ptr_nonnull(o.res.reason);
	kgw_pam_pool_free(p);
	ev_loop_destroy(loop);
}
END_TEST

/*
 * A service with no file falls back to "other"; there is none here. That is
 * the gateway's fault, not the user's: unavailable, not denied.
 */
START_TEST(test_missing_service)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct kgw_pam_request r = req("nosuch", "alice", "s3cret", NULL);
	struct outcome o = { 0 };
	struct kgw_pam_pool *p;
	int err;

	p = kgw_pam_pool_new(loop, 1, 4, &err);
	ck_assert_int_eq(kgw_pam_submit(p, &r, done, &o), 0);
	wait_all(loop, &o, 1);
	ck_assert_int_eq(o.res.status, KGW_PAM_UNAVAILABLE);
	kgw_pam_pool_free(p);
	ev_loop_destroy(loop);
}
END_TEST

/* The point of the pool: a slow stack does not hold up a fast one. */
START_TEST(test_slow_does_not_block)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct kgw_pam_request slow = req("slow", "slow", "s3cret", NULL);
	struct kgw_pam_request fast = req("slow", "fast", "s3cret", NULL);
	struct outcome o[2] = { { 0 }, { 0 } };
	struct kgw_pam_pool *p;
	double start = now();
	int err;

	p = kgw_pam_pool_new(loop, 2, 4, &err);
	ck_assert_int_eq(kgw_pam_submit(p, &slow, done, &o[0]), 0);
	ck_assert_int_eq(kgw_pam_submit(p, &fast, done, &o[1]), 0);
	wait_all(loop, o, 2);
	ck_assert_int_eq(o[0].res.status, KGW_PAM_OK);
	ck_assert_int_eq(o[1].res.status, KGW_PAM_OK);
	ck_assert_msg(o[1].at - start < 1.0, "fast took %.2f s", o[1].at - start);
	ck_assert_msg(o[0].at - start >= 1.9, "slow took %.2f s", o[0].at - start);
	ck_assert(o[1].at < o[0].at);
	kgw_pam_pool_free(p);
	ev_loop_destroy(loop);
}
END_TEST

/* Until the slow job's script has started: a worker has taken it off the queue. */
static void wait_slow_started(void)
{
	char path[sizeof(confdir) + 32];
	int i;

	snprintf(path, sizeof(path), "%s/slow.started", confdir);
	for (i = 0; i < 2000 && access(path, F_OK); i++)
		usleep(10000);
	ck_assert_msg(access(path, F_OK) == 0, "the slow PAM job did not start in 20 s");
}

START_TEST(test_queue_full)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct kgw_pam_request slow = req("slow", "slow", "s3cret", NULL);
	struct kgw_pam_request fast = req("nootp", "bob", "s3cret", NULL);
	struct outcome o[3] = { { 0 }, { 0 }, { 0 } };
	struct kgw_pam_pool *p;
	int err;

	p = kgw_pam_pool_new(loop, 1, 1, &err);
	ck_assert_int_eq(kgw_pam_submit(p, &slow, done, &o[0]), 0);
	wait_slow_started();
	ck_assert_int_eq(kgw_pam_submit(p, &fast, done, &o[1]), 0);
	ck_assert_int_eq(kgw_pam_submit(p, &fast, done, &o[2]), -EAGAIN);
	ck_assert_uint_eq(kgw_pam_busy(p), 2);
	wait_all(loop, o, 2);
	ck_assert_int_eq(o[0].res.status, KGW_PAM_OK);
	ck_assert_int_eq(o[1].res.status, KGW_PAM_OK);
	ck_assert_int_eq(o[2].calls, 0);
	/* Room again. */
	ck_assert_int_eq(kgw_pam_submit(p, &fast, done, &o[2]), 0);
	wait_all(loop, o, 3);
	kgw_pam_pool_free(p);
	ev_loop_destroy(loop);
}
END_TEST

/* Shutdown: the running one finishes, the queued ones come back cancelled, all once. */
START_TEST(test_shutdown)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct kgw_pam_request slow = req("slow", "slow", "s3cret", NULL);
	struct kgw_pam_request fast = req("nootp", "bob", "s3cret", NULL);
	struct outcome o[3] = { { 0 }, { 0 }, { 0 } };
	struct kgw_pam_pool *p;
	int err;

	p = kgw_pam_pool_new(loop, 1, 4, &err);
	ck_assert_int_eq(kgw_pam_submit(p, &slow, done, &o[0]), 0);
	wait_slow_started();
	ck_assert_int_eq(kgw_pam_submit(p, &fast, done, &o[1]), 0);
	ck_assert_int_eq(kgw_pam_submit(p, &fast, done, &o[2]), 0);
	kgw_pam_pool_free(p);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(o[i].calls, 1);
	ck_assert_int_eq(o[0].res.status, KGW_PAM_OK);
	ck_assert_int_eq(o[1].res.status, KGW_PAM_CANCELLED);
	ck_assert_int_eq(o[2].res.status, KGW_PAM_CANCELLED);
	ev_loop_destroy(loop);
}
END_TEST

START_TEST(test_bad_requests)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char long_user[KGW_USER_NAME_MAX + 2], long_pw[KGW_PASSWORD_MAX + 2];
	struct outcome o = { 0 };
	struct kgw_pam_request r;
	struct kgw_pam_pool *p;
	int err;

	ck_assert_ptr_null(kgw_pam_pool_new(loop, 0, 4, &err));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_ptr_null(kgw_pam_pool_new(loop, KGW_PAM_WORKERS_MAX + 1, 4, &err));
	ck_assert_ptr_null(kgw_pam_pool_new(loop, 1, 0, &err));
	p = kgw_pam_pool_new(loop, 1, 4, &err);
	memset(long_user, 'u', sizeof(long_user) - 1);
	long_user[sizeof(long_user) - 1] = '\0';
	memset(long_pw, 'p', sizeof(long_pw) - 1);
	long_pw[sizeof(long_pw) - 1] = '\0';
	r = req("good", long_user, "s3cret", NULL);
	ck_assert_int_eq(kgw_pam_submit(p, &r, done, &o), -EINVAL);
	r = req("good", "alice", long_pw, NULL);
	ck_assert_int_eq(kgw_pam_submit(p, &r, done, &o), -EINVAL);
	r = req("good", "alice", "s3cret", "123456789");
	ck_assert_int_eq(kgw_pam_submit(p, &r, done, &o), -EINVAL);
	kgw_pam_pool_free(p);
	ck_assert_int_eq(o.calls, 0);
	ev_loop_destroy(loop);
}
END_TEST

static Suite *pam_suite(void)
{
	Suite *s = suite_create("portal_pam");
	TCase *tc = tcase_create("pam");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_outcomes, 0, ARRAY_SIZE(cases));
	tcase_add_test(tc, test_missing_service);
	tcase_add_test(tc, test_slow_does_not_block);
	tcase_add_test(tc, test_queue_full);
	tcase_add_test(tc, test_shutdown);
	tcase_add_test(tc, test_bad_requests);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(pam_suite());
}
