/* SPDX-License-Identifier: MIT */
/*
 * Admin login and logout. The login form is protected like every other
 * form: a random token in a short-lived cookie must come back in the form
 * (double submit), so another site cannot log a browser in as someone else.
 * The check itself is PAM's (admin_pam_service, password and one-time code)
 * on the worker pool, throttled like the session API; then the user must
 * be a member of group `admins'.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "admin_internal.h"
#include "store_groups.h"

static void login_form(struct admin_req *r, int status, const char *error)
{
	uint8_t raw[ADMIN_SESSION_ID_BYTES];
	char token[ADMIN_SESSION_TOKEN_MAX];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, sizeof(token), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (!admin_set_cookie(r, ADMIN_LOGIN_COOKIE "=%s; Path=/login; Max-Age=%d; Secure; "
			      "HttpOnly; SameSite=Strict", token, ADMIN_LOGIN_FORM_TTL)) {
		admin_fail(r, 500, "Out of memory.");
		return;
	}
	tmpl_set(r->d, "login_token", "%s", token);
	if (error)
		admin_notice(r, true, "%s", error);
	if (r->login_user[0])
		tmpl_set(r->d, "user", "%s", r->login_user);
	admin_page(r, status, "login", "Log in");
}

void admin_login_get(struct admin_req *r)
{
	char id[ADMIN_SESSION_TOKEN_MAX];

	/* Already logged in: nothing to do here. */
	if (kgw_cookie_get(r->http->cookie, ADMIN_COOKIE, id, sizeof(id)) &&
	    admin_session_find(r->a->sessions, id, admin_now(r->a))) {
		admin_redirect(r, "/");
		return;
	}
	login_form(r, 200, NULL);
}

static int add_if_admin(const char *group, void *ctx)
{
	if (!strcmp(group, ADMIN_GROUP))
		*(bool *)ctx = true;
	return 0;
}

static void denied(struct admin_req *r, int status, const char *detail, const char *message)
{
	admin_audit(r, "admin.login", status == 429 ? "throttled" : "denied", r->login_user, detail);
	login_form(r, status, message);
}

static void pam_done(void *arg, const struct kgw_pam_result *res)
{
	struct admin_req *r = arg;
	struct kgw_admin *a = r->a;
	const struct admin_session *s;
	char detail[128];
	bool is_admin = false;

	if (res->status == KGW_PAM_CANCELLED) {
		kgw_throttle_cancel(a->throttle, &r->peer, r->login_user, admin_now(a));
		admin_fail(r, 503, "The portal is shutting down.");
		return;
	}
	if (res->status == KGW_PAM_UNAVAILABLE) {
		/* A broken store or stack, whatever was typed: not counted. */
		kgw_throttle_cancel(a->throttle, &r->peer, r->login_user, admin_now(a));
		snprintf(detail, sizeof(detail), "pam %s: %s", res->stage, res->reason);
		admin_audit(r, "admin.login", "unavailable", r->login_user, detail);
		login_form(r, 503, "Logins are unavailable right now; see the gateway's log.");
		return;
	}
	if (res->status != KGW_PAM_OK) {
		snprintf(detail, sizeof(detail), "pam %s: %s", res->stage, res->reason);
		denied(r, 401, detail, "The user name, password or code is wrong.");
		return;
	}
	/* Not an admin: the attempt stays counted as a failure. */
	if (kgw_store_user_groups(a->cfg.store, r->login_user, add_if_admin, &is_admin) ||
	    !is_admin) {
		denied(r, 403, "not in group " ADMIN_GROUP, "This user is not an administrator.");
		return;
	}
	kgw_throttle_success(a->throttle, &r->peer, r->login_user, admin_now(a));
	s = admin_session_create(a->sessions, r->login_user, admin_now(a));
	if (!s || !admin_set_cookie(r, ADMIN_COOKIE "=%s; Path=/; Max-Age=%u; Secure; HttpOnly; "
				    "SameSite=Strict", s->id, a->cfg.cfg->admin_session_lifetime) ||
	    !admin_set_cookie(r, ADMIN_LOGIN_COOKIE "=; Path=/login; Max-Age=0; Secure; HttpOnly; "
			      "SameSite=Strict")) {
		admin_fail(r, 500, "Out of memory.");
		return;
	}
	strcpy(r->admin, r->login_user);
	admin_audit(r, "admin.login", "ok", r->login_user, NULL);
	admin_redirect(r, "/");
}

static bool all_digits(const char *s)
{
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

void admin_login_post(struct admin_req *r)
{
	struct kgw_admin *a = r->a;
	const char *user = admin_arg(r, "user"), *pw = admin_arg(r, "password");
	const char *otp = admin_arg(r, "otp");
	char cookie[ADMIN_SESSION_TOKEN_MAX];
	unsigned int wait;
	size_t otp_len = otp ? strlen(otp) : 0;
	int ret;

	if (!kgw_cookie_get(r->http->cookie, ADMIN_LOGIN_COOKIE, cookie, sizeof(cookie)) ||
	    !admin_token_equal(cookie, admin_arg(r, "csrf"))) {
		admin_audit(r, "admin.csrf", "denied", NULL, "/login");
		login_form(r, 403, "The login form had expired. Please try again.");
		return;
	}
	if (!user || !admin_valid_name(user) || !pw || !*pw || strlen(pw) > KGW_PASSWORD_MAX ||
	    otp_len < KGW_OTP_MIN_DIGITS || otp_len > KGW_OTP_MAX_DIGITS || !all_digits(otp)) {
		login_form(r, 400, "Enter a user name, a password and the code from your app.");
		return;
	}
	strcpy(r->login_user, user);
	wait = kgw_throttle_begin(a->throttle, &r->peer, user, admin_now(a));
	if (wait) {
		denied(r, 429, "too many failures from this source or for this user",
		       "Too many failed attempts. Wait a few minutes and try again.");
		return;
	}
	ret = kgw_pam_submit(a->pam, &(struct kgw_pam_request){
		.service = a->cfg.cfg->admin_pam_service,
		.confdir = a->cfg.pam_confdir,
		.user = user,
		.password = pw,
		.otp = otp,
		.rhost = r->source,
	}, pam_done, r);
	if (ret) {
		kgw_throttle_cancel(a->throttle, &r->peer, user, admin_now(a));
		admin_fail(r, 503, "The server is busy; try again shortly.");
	}
}

void admin_logout_post(struct admin_req *r)
{
	char id[ADMIN_SESSION_TOKEN_MAX];

	if (kgw_cookie_get(r->http->cookie, ADMIN_COOKIE, id, sizeof(id)))
		admin_session_end(r->a->sessions, id);
	sodium_memzero(id, sizeof(id));
	admin_audit(r, "admin.logout", "ok", r->admin, NULL);
	if (!admin_set_cookie(r, ADMIN_COOKIE "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict")) {
		admin_fail(r, 500, "Out of memory.");
		return;
	}
	admin_redirect(r, "/login");
}
