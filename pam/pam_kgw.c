/* SPDX-License-Identifier: MIT */
/*
 * pam_kgw.so: passwords and TOTP codes against the kgw store.
 *
 * The stack kgw installs as /etc/pam.d/kgw:
 *
 *	auth     requisite  pam_kgw.so password
 *	auth     required   pam_kgw.so otp
 *	account  required   pam_kgw.so
 *
 * A site with its own directory swaps the first line for its module and
 * keeps the OTP line. Options are in pam_kgw.h; `db=PATH' names the store
 * (default /var/lib/kgw/kgw.db), which the calling process must be able
 * to write (failures, replay state and the audit log live there).
 *
 * Return codes. auth: PAM_SUCCESS; PAM_AUTH_ERR for a wrong password or
 * code, a replayed code, an unknown user or one without an active OTP
 * secret (all alike); PAM_MAXTRIES while the user is locked out (always,
 * whatever was typed); PAM_AUTHINFO_UNAVAIL when the store cannot be
 * read or written (fail closed); PAM_SERVICE_ERR for a bad module option;
 * conversation errors as pam_get_authtok()/pam_prompt() report them.
 * account: PAM_SUCCESS; PAM_USER_UNKNOWN; PAM_PERM_DENIED for a disabled
 * user; PAM_ACCT_EXPIRED past the user's expiry.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "log.h"
#include "pam_kgw.h"

/* Sets up ctx: options, user, source, store. Returns a PAM code. */
static int start(pam_handle_t *pamh, int argc, const char **argv, struct kgw_pam_args *args,
		 struct kgw_pam_ctx *ctx)
{
	char err[KGW_STORE_ERR_MAX], q[64];
	const void *rhost = NULL;
	const char *bad;
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	ctx->pamh = pamh;
	ctx->args = args;
	if (kgw_pam_args_parse(argc, argv, args, &bad)) {
		pam_syslog(pamh, LOG_ERR, "bad module option `%s'",
			   kgw_log_quote(bad, q, sizeof(q)));
		return PAM_SERVICE_ERR;
	}
	ret = pam_get_user(pamh, &ctx->user, NULL);
	if (ret != PAM_SUCCESS)
		return ret;
	if (!ctx->user)
		return PAM_USER_UNKNOWN;
	if (pam_get_item(pamh, PAM_RHOST, &rhost) == PAM_SUCCESS && rhost)
		kgw_log_quote(rhost, ctx->source, sizeof(ctx->source));
	ret = kgw_store_open(args->db, 0, &ctx->store, err);
	if (ret) {
		pam_syslog(pamh, LOG_ERR, "%s", err);
		return PAM_AUTHINFO_UNAVAIL;
	}
	ctx->now = (int64_t)time(NULL);
	/* An impossible name is simply unknown: same prompts, same answer. */
	if (!kgw_store_name_valid(ctx->user))
		return PAM_SUCCESS;
	ret = kgw_store_user_get(ctx->store, ctx->user, &ctx->rec);
	if (ret && ret != -ENOENT) {
		pam_syslog(pamh, LOG_ERR, "%s", kgw_store_error(ctx->store));
		return PAM_AUTHINFO_UNAVAIL;
	}
	ctx->known = !ret;
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct kgw_pam_args args;
	struct kgw_pam_ctx ctx;
	int ret;

	(void)flags;
	ret = start(pamh, argc, argv, &args, &ctx);
	if (ret == PAM_SUCCESS && args.password)
		ret = kgw_pam_step_password(&ctx);
	if (ret == PAM_SUCCESS && args.otp)
		ret = kgw_pam_step_otp(&ctx);
	kgw_store_close(ctx.store);
	return ret;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct kgw_pam_args args;
	struct kgw_pam_ctx ctx;
	int ret;

	(void)flags;
	ret = start(pamh, argc, argv, &args, &ctx);
	if (ret == PAM_SUCCESS)
		ret = kgw_pam_account(&ctx);
	kgw_store_close(ctx.store);
	return ret;
}
