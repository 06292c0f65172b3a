/* SPDX-License-Identifier: MIT */
/*
 * One-time-code enrolment from the admin UI, the way `kgwctl otp' does it:
 * a new secret is stored as pending and shown once (QR code, otpauth://
 * URI, base32); logins keep the old one until a code from the new one is
 * verified here, which makes it active.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "admin_internal.h"
#include "admin_qr.h"
#include "base32.h"
#include "otpauth.h"
#include "store_otp.h"
#include "store_users.h"

static void show_secret(struct admin_req *r, const char *user, const uint8_t *key, size_t len)
{
	const struct kgw_config *cfg = r->a->cfg.cfg;
	char b32[KGW_BASE32_ENCODED_LEN(KGW_TOTP_SECRET_MAX)], uri[KGW_OTPAUTH_URI_MAX];
	char *svg = NULL;

	kgw_base32_encode(key, len, false, b32, sizeof(b32));
	if (kgw_otpauth_uri(uri, sizeof(uri), cfg->otp_issuer, user, b32, cfg->otp_digits,
			    cfg->otp_step))
		kgw_warn("admin: the otpauth URI for `%s' does not fit; showing the secret only",
			 user);
	else
		svg = admin_qr_svg(uri);
	/* Our own markup, made from the URI: the one value rendered unescaped. */
	if (svg)
		tmpl_set(r->d, "qr_svg", "%s", svg);
	tmpl_set(r->d, "uri", "%s", uri);
	tmpl_set(r->d, "secret", "%s", b32);
	tmpl_set(r->d, "digits", "%u", cfg->otp_digits);
	tmpl_set(r->d, "period", "%u", cfg->otp_step);
	if (svg)
		sodium_memzero(svg, strlen(svg));
	free(svg);
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(uri, sizeof(uri));
}

void admin_otp_enrol_post(struct admin_req *r)
{
	const char *user = admin_arg(r, "name");
	uint8_t key[KGW_TOTP_SECRET_LEN];
	struct kgw_user u;
	int ret;

	if (!user || !admin_valid_name(user) || kgw_store_user_get(r->a->cfg.store, user, &u)) {
		admin_fail(r, 404, "There is no such user.");
		return;
	}
	randombytes_buf(key, sizeof(key));
	ret = kgw_store_otp_set_pending(r->a->cfg.store, user, key, sizeof(key), (int64_t)time(NULL));
	admin_audit(r, "admin.otp.enrol", ret ? "failed" : "ok", user, NULL);
	if (ret) {
		sodium_memzero(key, sizeof(key));
		admin_fail(r, 500, "The new secret could not be stored.");
		return;
	}
	tmpl_set(r->d, "name", "%s", user);
	show_secret(r, user, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	admin_page(r, 200, "otp", "One-time code");
}

void admin_otp_verify_post(struct admin_req *r)
{
	const struct kgw_config *cfg = r->a->cfg.cfg;
	struct kgw_totp_params p = { cfg->otp_digits, cfg->otp_step, cfg->otp_window };
	const char *user = admin_arg(r, "name"), *code = admin_arg(r, "code");
	struct kgw_otp_secret sec;
	uint64_t matched = 0;
	int ret;

	if (!user || !admin_valid_name(user) || !code) {
		admin_fail(r, 400, "The form is incomplete.");
		return;
	}
	tmpl_set(r->d, "name", "%s", user);
	ret = kgw_store_otp_get_pending(r->a->cfg.store, user, &sec);
	if (ret) {
		admin_fail(r, 404, "This user has no pending one-time-code secret: enrol first.");
		return;
	}
	if (kgw_totp_verify(sec.key, sec.len, code, (uint64_t)time(NULL), &p, 0, &matched) ==
	    KGW_TOTP_OK)
		ret = kgw_store_otp_activate(r->a->cfg.store, user, matched);
	else
		ret = -EACCES;
	admin_audit(r, "admin.otp.verify", ret ? "denied" : "ok", user,
		    ret ? "the code does not match the pending secret" : "secret activated");
	if (ret) {
		/* Shown again, so the admin can try the next code. */
		admin_notice(r, true, "That code does not match. Check the phone's clock and try "
			     "the next code.");
		show_secret(r, user, sec.key, sec.len);
		sodium_memzero(&sec, sizeof(sec));
		admin_page(r, 400, "otp", "One-time code");
		return;
	}
	sodium_memzero(&sec, sizeof(sec));
	tmpl_set(r->d, "activated", "1");
	admin_notice(r, false, "The code matches: the new secret of %s is now active.", user);
	admin_page(r, 200, "otp", "One-time code");
}
