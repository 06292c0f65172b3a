/* SPDX-License-Identifier: MIT */
/*
 * pam_kgw.so driven through libpam itself: each test writes a service file
 * naming the built module by absolute path into a temporary confdir and
 * runs pam_start_confdir(), pam_authenticate() and pam_acct_mgmt() with a
 * conversation that answers the module's prompts. Codes come from oathtool.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <sodium.h>

#include "base32.h"
#include "pam_kgw.h"
#include "store_audit.h"
#include "store_otp.h"
#include "store_users.h"
#include "unit.h"

static char dir[PATH_MAX - 64], db[PATH_MAX], module[PATH_MAX];
static char alice_b32[KGW_BASE32_ENCODED_LEN(KGW_TOTP_SECRET_LEN)];

struct conv_state {
	const char *password, *code;
	char prompts[256];
	bool refuse;
};

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct conv_state *cs = data;
	struct pam_response *r;

	if (cs->refuse)
		return PAM_CONV_ERR;
	r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		const char *answer = NULL;

		strncat(cs->prompts, msg[i]->msg, sizeof(cs->prompts) - strlen(cs->prompts) - 2);
		strcat(cs->prompts, "|");
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		if (!strcmp(msg[i]->msg, KGW_PAM_PROMPT_PASSWORD))
			answer = cs->password;
		else if (!strcmp(msg[i]->msg, KGW_PAM_PROMPT_CODE))
			answer = cs->code;
		if (!answer) {
			for (int j = 0; j < i; j++)
				free(r[j].resp);
			free(r);
			return PAM_CONV_ERR;
		}
		r[i].resp = strdup(answer);
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* Writes confdir/NAME: each line's %M becomes the module path, %D the db. */
static void service(const char *name, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (const char *p = text; *p; p++) {
		if (p[0] == '%' && p[1] == 'M')
			fputs(module, f), p++;
		else if (p[0] == '%' && p[1] == 'D')
			fputs(db, f), p++;
		else
			fputc(*p, f);
	}
	ck_assert_int_eq(fclose(f), 0);
}

struct result {
	int auth, acct;		/* acct is -1 when authentication failed */
	char prompts[256];
};

static struct result run_full(const char *svc, const char *user, const char *password,
			      const char *code, bool refuse)
{
	struct conv_state cs = { .password = password, .code = code, .refuse = refuse };
	struct pam_conv pc = { conv, &cs };
	struct result r = { .acct = -1 };
	pam_handle_t *pamh = NULL;

	ck_assert_int_eq(pam_start_confdir(svc, user, &pc, dir, &pamh), PAM_SUCCESS);
	ck_assert_int_eq(pam_set_item(pamh, PAM_RHOST, "192.0.2.7"), PAM_SUCCESS);
	r.auth = pam_authenticate(pamh, 0);
	if (r.auth == PAM_SUCCESS)
		r.acct = pam_acct_mgmt(pamh, 0);
	pam_end(pamh, r.auth);
	memcpy(r.prompts, cs.prompts, sizeof(r.prompts));
	return r;
}

static struct result run(const char *svc, const char *user, const char *password, const char *code)
{
	return run_full(svc, user, password, code, false);
}

/* oathtool's code for alice's secret at now + offset seconds. */
static const char *code_at(const char *b32, long offset, unsigned int digits, unsigned int step)
{
	static char line[4][32];
	static int n;
	char cmd[256], *out = line[n++ % 4];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "oathtool --totp -b -d %u -s %us -N @%lld '%s'", digits, step,
		 (long long)time(NULL) + offset, b32);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(out, 32, f));
	ck_assert_msg(pclose(f) == 0, "oathtool failed (is it installed?)");
	out[strcspn(out, "\n")] = '\0';
	return out;
}

static const char *code_now(void)
{
	return code_at(alice_b32, 0, 6, 30);
}

static struct kgw_store *open_db(void)
{
	char err[KGW_STORE_ERR_MAX];
	struct kgw_store *s;

	ck_assert_msg(kgw_store_open(db, KGW_STORE_CREATE, &s, err) == 0, "%s", err);
	return s;
}

/* A user with a password and, optionally, an active OTP secret (its base32 in b32). */
static void add_user(struct kgw_store *s, const char *name, const char *pw, bool otp, char *b32)
{
	char hash[KGW_PASSWORD_HASH_MAX];
	uint8_t key[KGW_TOTP_SECRET_LEN];

	ck_assert_int_eq(kgw_password_hash(pw, hash), 0);
	ck_assert_int_eq(kgw_store_user_add(s, name, hash, 1), 0);
	randombytes_buf(key, sizeof(key));
	ck_assert_int_eq(kgw_store_otp_set_pending(s, name, key, sizeof(key), 1), 0);
	if (otp)
		ck_assert_int_eq(kgw_store_otp_activate(s, name, 1), 0);
	if (b32)
		kgw_base32_encode(key, sizeof(key), false, b32,
				  KGW_BASE32_ENCODED_LEN(sizeof(key)));
}

static void setup(void)
{
	const char *b = getenv("KGW_BUILDDIR");
	struct kgw_store *s;

	ck_assert_int_ge(sodium_init(), 0);
	snprintf(module, sizeof(module), "%s/pam/.libs/pam_kgw.so", b ? b : ".");
	ck_assert_msg(access(module, R_OK) == 0, "no module at %s", module);
	b = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/kgw-pam-XXXXXX", b ? b : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/kgw.db", dir);
	s = open_db();
	add_user(s, "alice", "alice-pw-1", true, alice_b32);
	add_user(s, "bob", "bob-pw-1", false, NULL);		/* enrolled, never verified */
	add_user(s, "carol", "carol-pw-1", true, NULL);
	ck_assert_int_eq(kgw_store_user_set_enabled(s, "carol", false), 0);
	add_user(s, "dan", "dan-pw-1", true, NULL);
	ck_assert_int_eq(kgw_store_user_set_expires(s, "dan", 1000), 0);
	kgw_store_close(s);
	service("kgw", "auth requisite %M password db=%D\n"
		       "auth required %M otp db=%D\n"
		       "account required %M db=%D\n");
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct kgw_user user_rec(const char *name)
{
	struct kgw_store *s = open_db();
	struct kgw_user u;

	ck_assert_int_eq(kgw_store_user_get(s, name, &u), 0);
	kgw_store_close(s);
	return u;
}

static int count_audit(const struct kgw_audit_entry *e, void *ctx)
{
	char *out = ctx;
	char line[256];

	snprintf(line, sizeof(line), "%s %s %s %s %s|", e->actor, e->event, e->user, e->source,
		 e->detail);
	if (strlen(out) + strlen(line) < 2048)
		strcat(out, line);
	return 0;
}

/* The audit log, oldest last, as "actor event user source detail|..." */
static const char *audit_text(const char *user)
{
	static char out[2048];
	struct kgw_audit_filter f = { .user = user };
	struct kgw_store *s = open_db();

	out[0] = '\0';
	ck_assert_int_eq(kgw_store_audit_query(s, &f, count_audit, out), 0);
	kgw_store_close(s);
	return out;
}

#define BOTH_PROMPTS KGW_PAM_PROMPT_PASSWORD "|" KGW_PAM_PROMPT_CODE "|"

START_TEST(test_success)
{
	struct result r = run("kgw", "alice", "alice-pw-1", code_now());

	ck_assert_int_eq(r.auth, PAM_SUCCESS);
	ck_assert_int_eq(r.acct, PAM_SUCCESS);
	ck_assert_str_eq(r.prompts, BOTH_PROMPTS);
	ck_assert_str_eq(audit_text("alice"), "pam auth.ok alice 192.0.2.7 otp|"
			 "pam auth.ok alice 192.0.2.7 password|");
	/* One step behind is inside the default window (clock skew). */
	r = run("kgw", "alice", "alice-pw-1", code_at(alice_b32, -30, 6, 30));
	ck_assert_int_eq(r.auth, PAM_AUTH_ERR);	/* ... but older than the step just used */
	r = run("kgw", "alice", "alice-pw-1", code_at(alice_b32, 30, 6, 30));
	ck_assert_int_eq(r.auth, PAM_SUCCESS);
}
END_TEST

START_TEST(test_wrong_password)
{
	struct result r = run("kgw", "alice", "alice-pw-2", code_now());

	ck_assert_int_eq(r.auth, PAM_AUTH_ERR);
	/* requisite: the code is never asked for. */
	ck_assert_str_eq(r.prompts, KGW_PAM_PROMPT_PASSWORD "|");
	ck_assert_str_eq(audit_text("alice"), "pam auth.fail alice 192.0.2.7 password|");
	ck_assert_uint_eq(user_rec("alice").failures, 1);
	r = run("kgw", "alice", "", code_now());
	ck_assert_int_eq(r.auth, PAM_AUTH_ERR);
	ck_assert_uint_eq(user_rec("alice").failures, 2);
}
END_TEST

START_TEST(test_wrong_code)
{
	static const long far[] = { -120, -90, 90, 3600 };
	struct result r;

	r = run("kgw", "alice", "alice-pw-1", "12345");
	ck_assert_int_eq(r.auth, PAM_AUTH_ERR);
	ck_assert_str_eq(r.prompts, BOTH_PROMPTS);
	ck_assert_str_eq(audit_text("alice"), "pam auth.fail alice 192.0.2.7 otp|"
			 "pam auth.ok alice 192.0.2.7 password|");
	/* Real codes, but outside the +-1 step window. */
	for (size_t i = 0; i < ARRAY_SIZE(far); i++) {
		r = run("kgw", "alice", "alice-pw-1", code_at(alice_b32, far[i], 6, 30));
		ck_assert_msg(r.auth == PAM_AUTH_ERR, "code from %+lds accepted", far[i]);
	}
	ck_assert_uint_eq(user_rec("alice").failures, 0);	/* fifth failure locked */
	ck_assert_uint_eq(user_rec("alice").lockouts, 1);
}
END_TEST

START_TEST(test_replay)
{
	const char *code = code_now();
	struct result r = run("kgw", "alice", "alice-pw-1", code);

	ck_assert_int_eq(r.auth, PAM_SUCCESS);
	r = run("kgw", "alice", "alice-pw-1", code);
	ck_assert_int_eq(r.auth, PAM_AUTH_ERR);
	ck_assert_ptr_nonnull(strstr(audit_text("alice"),
				     "pam otp.replay alice 192.0.2.7 otp: code already used|"));
	ck_assert_uint_eq(user_rec("alice").failures, 1);
}
END_TEST

START_TEST(test_lockout)
{
	struct result r;

	service("kgw-lock", "auth requisite %M password db=%D max_failures=3 lockout=600\n"
			    "auth required %M otp db=%D max_failures=3 lockout=600\n");
	for (int i = 0; i < 3; i++) {
		r = run("kgw-lock", "alice", "guess", code_now());
		ck_assert_int_eq(r.auth, PAM_AUTH_ERR);
	}
	/* Locked: the right password and code are not even asked for. */
	r = run("kgw-lock", "alice", "alice-pw-1", code_now());
	ck_assert_int_eq(r.auth, PAM_MAXTRIES);
	ck_assert_str_eq(r.prompts, "");
	ck_assert_ptr_nonnull(strstr(audit_text("alice"),
				     "auth.lockout alice 192.0.2.7 locked for 600"));
	ck_assert_ptr_nonnull(strstr(audit_text("alice"), "auth.locked alice"));
	/* The same from the default stack, and from an OTP-only stack. */
	ck_assert_int_eq(run("kgw", "alice", "alice-pw-1", code_now()).auth, PAM_MAXTRIES);
	service("kgw-otp", "auth required %M otp db=%D\n");
	ck_assert_int_eq(run("kgw-otp", "alice", NULL, code_now()).auth, PAM_MAXTRIES);
	/* An admin unlock lets the user in again. */
	{
		struct kgw_store *s = open_db();

		ck_assert_int_eq(kgw_store_user_unlock(s, "alice"), 0);
		kgw_store_close(s);
	}
	ck_assert_int_eq(run("kgw", "alice", "alice-pw-1", code_now()).auth, PAM_SUCCESS);
}
END_TEST

START_TEST(test_success_resets_failures)
{
	ck_assert_int_eq(run("kgw", "alice", "guess", NULL).auth, PAM_AUTH_ERR);
	ck_assert_int_eq(run("kgw", "alice", "alice-pw-1", "000000").auth, PAM_AUTH_ERR);
	ck_assert_uint_eq(user_rec("alice").failures, 2);
	/* A right password alone does not clear the count of a user with OTP... */
	service("kgw-pw", "auth required %M password db=%D\n");
	ck_assert_int_eq(run("kgw-pw", "alice", "alice-pw-1", NULL).auth, PAM_SUCCESS);
	ck_assert_uint_eq(user_rec("alice").failures, 2);
	/* ... both factors do. */
	ck_assert_int_eq(run("kgw", "alice", "alice-pw-1", code_now()).auth, PAM_SUCCESS);
	ck_assert_uint_eq(user_rec("alice").failures, 0);
}
END_TEST

START_TEST(test_disabled_and_expired)
{
	/* Credentials are checked as for anyone (her code is unknown here)... */
	struct result r = run("kgw", "carol", "carol-pw-1", "000000");

	ck_assert_int_eq(r.auth, PAM_AUTH_ERR);
	/* ... and the account step refuses her even with them right. */
	service("kgw-pw", "auth required %M password db=%D\naccount required %M db=%D\n");
	r = run("kgw-pw", "carol", "carol-pw-1", NULL);
	ck_assert_int_eq(r.auth, PAM_SUCCESS);
	ck_assert_int_eq(r.acct, PAM_PERM_DENIED);
	ck_assert_ptr_nonnull(strstr(audit_text("carol"),
				     "pam account.denied carol 192.0.2.7 disabled"));
	r = run("kgw-pw", "dan", "dan-pw-1", NULL);
	ck_assert_int_eq(r.auth, PAM_SUCCESS);
	ck_assert_int_eq(r.acct, PAM_ACCT_EXPIRED);
	/* A disabled user's wrong password is just a wrong password. */
	ck_assert_int_eq(run("kgw-pw", "carol", "nope", NULL).auth, PAM_AUTH_ERR);
}
END_TEST

START_TEST(test_unknown_user)
{
	struct result known, unknown;

	known = run("kgw", "alice", "wrong-pw", NULL);
	unknown = run("kgw", "mallory", "wrong-pw", NULL);
	/*
	 * Same answer, same conversation. Both pay for argon2 (the dummy
	 * check, test_password); the times are compared by `make bench', not
	 * here, where a busy machine decides them.
	 */
	ck_assert_int_eq(unknown.auth, PAM_AUTH_ERR);
	ck_assert_int_eq(unknown.auth, known.auth);
	ck_assert_str_eq(unknown.prompts, known.prompts);
	ck_assert_str_eq(audit_text("mallory"),
			 "pam auth.fail mallory 192.0.2.7 password: unknown user|");
	/* Names that cannot exist behave the same and are not stored as given. */
	ck_assert_int_eq(run("kgw", "bad name'--", "x", NULL).auth, PAM_AUTH_ERR);
	ck_assert_int_eq(run("kgw", "", "x", NULL).auth, PAM_AUTH_ERR);
	/* An OTP-only stack asks unknown users for a code like anyone else. */
	service("kgw-otp", "auth required %M otp db=%D\naccount required %M db=%D\n");
	unknown = run("kgw-otp", "mallory", NULL, "123456");
	ck_assert_int_eq(unknown.auth, PAM_AUTH_ERR);
	ck_assert_str_eq(unknown.prompts, KGW_PAM_PROMPT_CODE "|");
}
END_TEST

START_TEST(test_no_active_secret)
{
	/* bob enrolled but never verified a code: the pending secret does not count. */
	struct result r = run("kgw", "bob", "bob-pw-1", "123456");

	ck_assert_int_eq(r.auth, PAM_AUTH_ERR);
	ck_assert_str_eq(r.prompts, BOTH_PROMPTS);
	ck_assert_ptr_nonnull(strstr(audit_text("bob"),
				     "auth.fail bob 192.0.2.7 otp: no active secret"));
	/* A password-only stack lets him in, and that clears his count. */
	service("kgw-pw", "auth required %M password db=%D\naccount required %M db=%D\n");
	r = run("kgw-pw", "bob", "bob-pw-1", NULL);
	ck_assert_int_eq(r.auth, PAM_SUCCESS);
	ck_assert_int_eq(r.acct, PAM_SUCCESS);
	ck_assert_uint_eq(user_rec("bob").failures, 0);
}
END_TEST

START_TEST(test_other_parameters)
{
	char b32[KGW_BASE32_ENCODED_LEN(KGW_TOTP_SECRET_LEN)];
	struct kgw_store *s = open_db();

	add_user(s, "erin", "erin-pw-1", true, b32);
	kgw_store_close(s);
	service("kgw-8", "auth required %M db=%D digits=8 step=60 window=2\n");
	ck_assert_int_eq(run("kgw-8", "erin", "erin-pw-1", code_at(b32, -120, 8, 60)).auth,
			 PAM_SUCCESS);
	ck_assert_int_eq(run("kgw-8", "erin", "erin-pw-1", code_at(b32, 0, 6, 30)).auth,
			 PAM_AUTH_ERR);
	ck_assert_int_eq(run("kgw-8", "erin", "erin-pw-1", code_at(b32, 60, 8, 60)).auth,
			 PAM_SUCCESS);
}
END_TEST

START_TEST(test_first_pass)
{
	struct result r;

	/* An earlier module read the password: use_first_pass reuses it, no second prompt. */
	service("kgw-ufp", "auth optional %M password db=%D\n"
			   "auth required %M password use_first_pass db=%D\n");
	r = run("kgw-ufp", "alice", "alice-pw-1", NULL);
	ck_assert_int_eq(r.auth, PAM_SUCCESS);
	ck_assert_str_eq(r.prompts, KGW_PAM_PROMPT_PASSWORD "|");
	r = run("kgw-ufp", "alice", "wrong", NULL);
	ck_assert_int_eq(r.auth, PAM_AUTH_ERR);
	ck_assert_str_eq(r.prompts, KGW_PAM_PROMPT_PASSWORD "|");
}
END_TEST

START_TEST(test_errors)
{
	service("kgw-bad", "auth required %M password bogus=1 db=%D\n");
	ck_assert_int_eq(run("kgw-bad", "alice", "alice-pw-1", NULL).auth, PAM_SERVICE_ERR);
	service("kgw-bad", "auth required %M password digits=9 db=%D\n");
	ck_assert_int_eq(run("kgw-bad", "alice", "alice-pw-1", NULL).auth, PAM_SERVICE_ERR);
	/* No store: fail closed. */
	service("kgw-nodb", "auth required %M password db=/nonexistent/kgw.db\n"
			    "account required %M db=/nonexistent/kgw.db\n");
	ck_assert_int_eq(run("kgw-nodb", "alice", "alice-pw-1", NULL).auth, PAM_AUTHINFO_UNAVAIL);
	/* The application cannot converse. */
	ck_assert_int_eq(run_full("kgw", "alice", "alice-pw-1", NULL, true).auth,
			 PAM_CONV_ERR);
	/* account for someone the store does not know. */
	service("kgw-acct", "auth required pam_permit.so\naccount required %M db=%D\n");
	ck_assert_int_eq(run("kgw-acct", "mallory", NULL, NULL).acct, PAM_USER_UNKNOWN);
	ck_assert_int_eq(run("kgw-acct", "alice", NULL, NULL).acct, PAM_SUCCESS);
}
END_TEST

static const struct {
	const char *argv[4];
	int ret;
	bool password, otp;
	unsigned int digits, step, window, max_failures, lockout;
} arg_cases[] = {
	/* 0 */ { { NULL }, 0, true, true, 6, 30, 1, 5, 300 },
	/* 1 */ { { "password" }, 0, true, false, 6, 30, 1, 5, 300 },
	/* 2 */ { { "otp", "digits=8", "step=60", "window=0" }, 0, false, true, 8, 60, 0, 5, 300 },
	/* 3 */ { { "max_failures=3", "lockout=60" }, 0, true, true, 6, 30, 1, 3, 60 },
	/* 4 */ { { "use_first_pass", "otp" }, 0, false, true, 6, 30, 1, 5, 300 },
	/* 5 */ { { "digits=5" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* 6 */ { { "digits=" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* 7 */ { { "digits=6x" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* 8 */ { { "step=-30" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* 9 */ { { "window=11" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* 10 */ { { "db=relative.db" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* 11 */ { { "max_failures=0" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* 12 */ { { "Password" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* 13 */ { { "digits=99999999999999999999" }, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
};

START_TEST(test_args)
{
	struct kgw_pam_args a;
	const char *bad, *argv[4];
	int argc = 0;

	while (argc < 4 && arg_cases[_i].argv[argc]) {
		argv[argc] = arg_cases[_i].argv[argc];
		argc++;
	}
	ck_assert_int_eq(kgw_pam_args_parse(argc, argv, &a, &bad), arg_cases[_i].ret);
	if (arg_cases[_i].ret) {
		ck_assert_ptr_nonnull(bad);
		return;
	}
	ck_assert_int_eq(a.password, arg_cases[_i].password);
	ck_assert_int_eq(a.otp, arg_cases[_i].otp);
	ck_assert_uint_eq(a.totp.digits, arg_cases[_i].digits);
	ck_assert_uint_eq(a.totp.step, arg_cases[_i].step);
	ck_assert_uint_eq(a.totp.window, arg_cases[_i].window);
	ck_assert_uint_eq(a.lockout.max_failures, arg_cases[_i].max_failures);
	ck_assert_uint_eq(a.lockout.lockout, arg_cases[_i].lockout);
	ck_assert_str_eq(a.db, KGW_STORE_DEFAULT_PATH);
}
END_TEST

static Suite *pam_suite(void)
{
	Suite *s = suite_create("pam");
	TCase *tc = tcase_create("args");

	tcase_add_loop_test(tc, test_args, 0, ARRAY_SIZE(arg_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("stack");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_success);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_test(tc, test_wrong_code);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_lockout);
	tcase_add_test(tc, test_success_resets_failures);
	tcase_add_test(tc, test_disabled_and_expired);
	tcase_add_test(tc, test_unknown_user);
	tcase_add_test(tc, test_no_active_secret);
	tcase_add_test(tc, test_other_parameters);
	tcase_add_test(tc, test_first_pass);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(pam_suite());
}
