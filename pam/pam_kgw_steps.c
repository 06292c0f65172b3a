/* SPDX-License-Identifier: MIT */
/*
 * The checks behind pam_kgw's entry points: password, TOTP code, account.
 *
 * Uniform failure: an unknown user is prompted exactly like a known one,
 * costs one argon2 verification (against a dummy hash) and one window of
 * HMACs, and gets PAM_AUTH_ERR like a wrong password or code.
 *
 * Lockout: every failed step of a known user counts (kgw_store_auth_failed);
 * at the limit the user is locked, and until it ends every step returns
 * PAM_MAXTRIES at once, without prompting or checking anything, so a lock
 * cannot be used to test passwords. A successful OTP step clears the count;
 * so does a successful password step when the user has no active OTP secret
 * (a password-only stack). A password step alone never clears it for a user
 * with OTP: otherwise someone who knows the password could guess codes
 * forever.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <sodium.h>

#include "log.h"
#include "pam_kgw.h"
#include "store_audit.h"
#include "store_otp.h"

bool kgw_pam_audit(struct kgw_pam_ctx *ctx, const char *event, const char *detail)
{
	const char *user = kgw_store_name_valid(ctx->user) ? ctx->user : "";
	int ret;

	pam_syslog(ctx->pamh, LOG_NOTICE, "%s user `%s' from `%s': %s", event, user,
		   ctx->source[0] ? ctx->source : "local", detail);
	ret = kgw_store_audit(ctx->store, ctx->now, KGW_PAM_ACTOR, event, user, ctx->source,
			      detail);
	if (ret) {
		pam_syslog(ctx->pamh, LOG_ERR, "cannot write the audit log: %s",
			   kgw_store_error(ctx->store));
		return false;
	}
	return true;
}

/* A locked user is refused before anything is prompted for or checked. */
static bool locked(struct kgw_pam_ctx *ctx, const char *step)
{
	char detail[96];
	int64_t until;

	if (!ctx->known || !kgw_user_locked(&ctx->rec, ctx->now, &until))
		return false;
	snprintf(detail, sizeof(detail), "%s: locked for %lld more seconds", step,
		 (long long)(until - ctx->now));
	(void)kgw_pam_audit(ctx, "auth.locked", detail);
	return true;
}

/*
 * Counts the failure (known users) and audits it, in one transaction: a
 * known and an unknown user cost the same single commit, so the time a
 * failure takes does not tell them apart. Says PAM_AUTH_ERR, or
 * PAM_AUTHINFO_UNAVAIL when the store cannot record it.
 */
static int fail(struct kgw_pam_ctx *ctx, const char *event, const char *detail)
{
	char msg[96];
	int64_t until = 0;
	int locked = 0, ret;

	ret = kgw_store_begin(ctx->store);
	if (!ret && ctx->known) {
		locked = kgw_store_auth_failed(ctx->store, ctx->user, ctx->now,
					       &ctx->args->lockout, &until);
		ret = locked < 0 ? locked : 0;
	}
	if (!ret && !kgw_pam_audit(ctx, event, detail))
		ret = -EIO;
	if (!ret && locked == 1) {
		snprintf(msg, sizeof(msg), "locked for %lld seconds after %u failures",
			 (long long)(until - ctx->now), ctx->args->lockout.max_failures);
		if (!kgw_pam_audit(ctx, "auth.lockout", msg))
			ret = -EIO;
	}
	ret = ret ? kgw_store_rollback(ctx->store, ret) : kgw_store_commit(ctx->store);
	if (ret) {
		pam_syslog(ctx->pamh, LOG_ERR, "cannot record a failure: %s",
			   kgw_store_error(ctx->store));
		return PAM_AUTHINFO_UNAVAIL;
	}
	return PAM_AUTH_ERR;
}

/*
 * Clears the failure count (when `reset') and audits the success; the
 * caller has a transaction open. Fails closed if either cannot be written.
 */
static int succeed(struct kgw_pam_ctx *ctx, bool reset, const char *detail)
{
	if (reset && kgw_store_auth_succeeded(ctx->store, ctx->user))
		return -EIO;
	return kgw_pam_audit(ctx, "auth.ok", detail) ? 0 : -EIO;
}

/* succeed() in a transaction of its own; a PAM code. */
static int succeed_now(struct kgw_pam_ctx *ctx, bool reset, const char *detail)
{
	int ret = kgw_store_begin(ctx->store);

	if (!ret)
		ret = succeed(ctx, reset, detail);
	ret = ret ? kgw_store_rollback(ctx->store, ret) : kgw_store_commit(ctx->store);
	if (ret) {
		pam_syslog(ctx->pamh, LOG_ERR, "cannot record a success: %s",
			   kgw_store_error(ctx->store));
		return PAM_AUTHINFO_UNAVAIL;
	}
	return PAM_SUCCESS;
}

/*
 * What a failed conversation returns: PAM_AUTHTOK_ERR and friends are not
 * answers pam_authenticate() may give.
 */
static int conv_error(int ret)
{
	if (ret == PAM_CONV_AGAIN || ret == PAM_INCOMPLETE)
		return PAM_INCOMPLETE;
	return ret == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_CONV_ERR;
}

int kgw_pam_step_password(struct kgw_pam_ctx *ctx)
{
	char hash[KGW_PASSWORD_HASH_MAX] = "";
	const char *pw = NULL;
	bool ok = false;
	int ret;

	if (locked(ctx, "password"))
		return PAM_MAXTRIES;
	ret = pam_get_authtok(ctx->pamh, PAM_AUTHTOK, &pw, KGW_PAM_PROMPT_PASSWORD);
	if (ret != PAM_SUCCESS || !pw)
		return conv_error(ret);
	ret = ctx->known ? kgw_store_user_hash(ctx->store, ctx->user, hash) : -ENOENT;
	if (!ret) {
		ok = kgw_password_verify(hash, pw);
	} else if (ret == -ENOENT || ret == -ENODATA) {
		(void)kgw_password_verify_dummy(pw);
	} else {
		pam_syslog(ctx->pamh, LOG_ERR, "%s", kgw_store_error(ctx->store));
		return PAM_AUTHINFO_UNAVAIL;
	}
	sodium_memzero(hash, sizeof(hash));
	if (!ok)
		return fail(ctx, "auth.fail", ctx->known ? "password" : "password: unknown user");
	return succeed_now(ctx, !ctx->rec.otp_active, "password");
}

/* Reads the code; PAM owns nothing here, so it is wiped and freed by the caller. */
static int prompt_code(struct kgw_pam_ctx *ctx, char **code)
{
	int ret = pam_prompt(ctx->pamh, PAM_PROMPT_ECHO_OFF, code, "%s", KGW_PAM_PROMPT_CODE);

	if (ret != PAM_SUCCESS || !*code) {
		if (*code) {
			sodium_memzero(*code, strlen(*code));
			free(*code);
			*code = NULL;
		}
		return conv_error(ret);
	}
	return PAM_SUCCESS;
}

/*
 * Claims the matched step and records the success in one transaction. The
 * claim is atomic: of two logins racing with the same code, one gets
 * -EALREADY here and is a replay.
 */
static int accept(struct kgw_pam_ctx *ctx, uint64_t matched)
{
	int ret = kgw_store_begin(ctx->store);

	if (!ret)
		ret = kgw_store_otp_accept(ctx->store, ctx->user, matched);
	if (ret == -EALREADY) {
		(void)kgw_store_rollback(ctx->store, ret);
		return fail(ctx, "otp.replay", "otp: code already used");
	}
	if (!ret)
		ret = succeed(ctx, true, "otp");
	ret = ret ? kgw_store_rollback(ctx->store, ret) : kgw_store_commit(ctx->store);
	if (ret) {
		pam_syslog(ctx->pamh, LOG_ERR, "cannot record a success: %s",
			   kgw_store_error(ctx->store));
		return PAM_AUTHINFO_UNAVAIL;
	}
	return PAM_SUCCESS;
}

int kgw_pam_step_otp(struct kgw_pam_ctx *ctx)
{
	struct kgw_otp_secret sec;
	enum kgw_totp_result res;
	const char *why = "otp";
	char *code = NULL;
	uint64_t matched;
	int ret;

	if (locked(ctx, "otp"))
		return PAM_MAXTRIES;
	ret = prompt_code(ctx, &code);
	if (ret != PAM_SUCCESS)
		return ret;
	ret = ctx->known ? kgw_store_otp_get_active(ctx->store, ctx->user, &sec) : -ENOENT;
	if (ret && ret != -ENOENT) {
		pam_syslog(ctx->pamh, LOG_ERR, "%s", kgw_store_error(ctx->store));
		ret = PAM_AUTHINFO_UNAVAIL;
		goto out;
	}
	if (ret) {
		/* No secret: do the same work against a random key, then refuse. */
		why = ctx->known ? "otp: no active secret" : "otp: unknown user";
		sec.len = KGW_TOTP_SECRET_LEN;
		randombytes_buf(sec.key, sec.len);
		sec.last_counter = 0;
	}
	res = kgw_totp_verify(sec.key, sec.len, code, (uint64_t)ctx->now, &ctx->args->totp,
			      sec.last_counter, &matched);
	if (ret) {
		ret = fail(ctx, "auth.fail", why);
	} else if (res == KGW_TOTP_REPLAY) {
		ret = fail(ctx, "otp.replay", "otp: code already used");
	} else if (res != KGW_TOTP_OK) {
		ret = fail(ctx, "auth.fail", why);
	} else {
		ret = accept(ctx, matched);
	}
out:
	sodium_memzero(&sec, sizeof(sec));
	sodium_memzero(code, strlen(code));
	free(code);
	return ret;
}

int kgw_pam_account(struct kgw_pam_ctx *ctx)
{
	if (!ctx->known) {
		(void)kgw_pam_audit(ctx, "account.denied", "unknown user");
		return PAM_USER_UNKNOWN;
	}
	if (!ctx->rec.enabled) {
		(void)kgw_pam_audit(ctx, "account.denied", "disabled");
		return PAM_PERM_DENIED;
	}
	if (!kgw_user_usable(&ctx->rec, ctx->now)) {
		(void)kgw_pam_audit(ctx, "account.denied", "expired");
		return PAM_ACCT_EXPIRED;
	}
	return PAM_SUCCESS;
}
