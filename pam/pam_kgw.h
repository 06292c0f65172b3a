/* SPDX-License-Identifier: MIT */
/*
 * pam_kgw internals: the module options, and the steps the PAM entry
 * points in pam_kgw.c run. See pam_kgw.c for the stack it is meant for.
 */
#ifndef KGW_PAM_KGW_H
#define KGW_PAM_KGW_H

#include <stdbool.h>
#include <stdint.h>

#include <security/pam_modules.h>

#include "store.h"
#include "store_users.h"
#include "totp.h"

/* The prompts, exactly: kgw-portal's conversation answers by them. */
#define KGW_PAM_PROMPT_PASSWORD "Password: "
#define KGW_PAM_PROMPT_CODE "Verification code: "
/* What the audit log names as the actor. */
#define KGW_PAM_ACTOR "pam"

struct kgw_pam_args {
	bool password;		/* check the password */
	bool otp;		/* check a TOTP code */
	const char *db;
	struct kgw_totp_params totp;
	struct kgw_lockout_policy lockout;
};

/*
 * Module options: password, otp, db=PATH, digits=N, step=N, window=N,
 * max_failures=N, lockout=SECONDS; try_first_pass, use_first_pass and
 * use_authtok are for pam_get_authtok() and accepted. Neither `password'
 * nor `otp' means both. Returns 0, or -EINVAL with *bad the offending one.
 */
int kgw_pam_args_parse(int argc, const char **argv, struct kgw_pam_args *args,
		       const char **bad) __attribute__((warn_unused_result));

/* One authentication or account check, for the steps below. */
struct kgw_pam_ctx {
	pam_handle_t *pamh;
	const struct kgw_pam_args *args;
	struct kgw_store *store;
	const char *user;	/* as given; valid only if `known' */
	char source[64];	/* PAM_RHOST, quoted for logs; empty if none */
	int64_t now;
	bool known;		/* the user exists in the store */
	struct kgw_user rec;
};

/* Each returns a PAM return code. */
int kgw_pam_step_password(struct kgw_pam_ctx *ctx);
int kgw_pam_step_otp(struct kgw_pam_ctx *ctx);
int kgw_pam_account(struct kgw_pam_ctx *ctx);

/* Audit entry from the module; false when it could not be written. */
bool kgw_pam_audit(struct kgw_pam_ctx *ctx, const char *event, const char *detail);

#endif
